using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core;

public sealed class FixtureTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Both_servers_run_and_a_table_created_on_the_source_reads_back()
    {
        var db = await fx.Servers.CreateDatabasesAsync("fixture");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE t(id int primary key, v text); INSERT INTO t VALUES (1,'a'),(2,'b')");
        var rows = await PgServers.RowsAsync(db.Source, "SELECT id, v FROM t ORDER BY id");
        Assert.Equal([[1, "a"], [2, "b"]], rows);
        var sourcePort = await PgServers.ScalarAsync<string>(db.Source, "SELECT current_setting('port')");
        var targetPort = await PgServers.ScalarAsync<string>(db.Target, "SELECT current_setting('port')");
        Assert.NotEqual(sourcePort, targetPort);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_class WHERE relname = 't' AND relkind = 'r'"));
    }
}
