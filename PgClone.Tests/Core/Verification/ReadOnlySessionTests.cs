using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Verification;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Verification;

public sealed class ReadOnlySessionTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_session_is_read_only_with_catalog_search_path_and_utc()
    {
        var db = await fx.Servers.CreateDatabasesAsync("ro_session");
        var server = ServerEndpoint.Parse(ServerRole.Target, db.Target);
        await using var s = await ReadOnlySession.OpenAsync(server, CancellationToken.None);

        Assert.Equal("on|pg_catalog|UTC|repeatable read", await s.ScalarAsync<string>(
            "SELECT current_setting('transaction_read_only') || '|' || current_setting('search_path') || '|' || current_setting('TimeZone') || '|' || current_setting('transaction_isolation')",
            CancellationToken.None));
        var e = await Assert.ThrowsAsync<PgCloneException>(() =>
            s.QueryAsync("CREATE TABLE public.x(id int)", r => 0, CancellationToken.None, "table \"public\".\"x\""));
        Assert.Equal($"{server.Describe()}: table \"public\".\"x\": cannot execute CREATE TABLE in a read-only transaction", e.Message);
    }
}
