using Npgsql;
using PgClone.Core.Connections;
using PgClone.Core.LocalServer;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Connections;

/// <summary>The connection test: what a working server tells, and each failure as one line naming the server.</summary>
public sealed class ServerProbeTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_working_server_reports_its_version_latency_and_the_users_powers()
    {
        var db = await fx.Servers.CreateDatabasesAsync("probe");
        var superuser = await ServerProbe.ProbeAsync(ServerEndpoint.Parse(ServerRole.Source, db.Source, "src"), CancellationToken.None);
        Assert.True(superuser.Ok, superuser.Error);
        Assert.Equal(await PgServers.ScalarAsync<string>(db.Source, "SHOW server_version"), superuser.ServerVersion);
        Assert.True(superuser.Latency > TimeSpan.Zero && superuser.Latency < TimeSpan.FromSeconds(5));
        Assert.Equal((true, true, true), (superuser.IsSuperuser, superuser.CanCreateDatabases, superuser.CanCreateRoles));
        Assert.Matches(@"^PostgreSQL 15\.\d+( \(.*\))? · \d+(\.\d)? ms · superuser · may create databases · may create roles$", superuser.Summary);

        var role = $"probe_{Guid.NewGuid():N}"[..20];
        await PgServers.ExecAsync(db.Source, $"CREATE ROLE {role} LOGIN PASSWORD 'Pr0be-pass' CREATEDB");
        var limited = await ServerProbe.ProbeAsync(ServerEndpoint.Parse(ServerRole.Source, User(db.Source, role, "Pr0be-pass"), "src"), CancellationToken.None);
        Assert.True(limited.Ok, limited.Error);
        Assert.Equal((false, true, false), (limited.IsSuperuser, limited.CanCreateDatabases, limited.CanCreateRoles));
        Assert.EndsWith(" · not superuser · may create databases · may not create roles", limited.Summary);
    }

    [Fact]
    public async Task Target_session_attrs_on_one_host_connects_to_a_server_that_qualifies_and_names_the_one_it_fails()
    {
        var db = await fx.Servers.CreateDatabasesAsync("probe_tsa");
        var csb = new NpgsqlConnectionStringBuilder(db.Source);
        var libpq = $"host={csb.Host} port={csb.Port} dbname={csb.Database} user={csb.Username} password={csb.Password}";
        var primary = await ServerProbe.ProbeAsync(ServerEndpoint.Parse(ServerRole.Source, libpq + " target_session_attrs=read-write", "src"), CancellationToken.None);
        Assert.True(primary.Ok, primary.Error);
        var standby = await ServerProbe.ProbeAsync(ServerEndpoint.Parse(ServerRole.Source, libpq + " target_session_attrs=standby", "src"), CancellationToken.None);
        Assert.False(standby.Ok);
        Assert.Equal($"source 'src' ({csb.Host}:{csb.Port}): no server is standby (target_session_attrs=standby)", standby.Error);
    }

    [Fact]
    public async Task Each_failure_is_one_line_naming_the_server_and_never_the_password()
    {
        var db = await fx.Servers.CreateDatabasesAsync("probe_fail");
        var csb = new NpgsqlConnectionStringBuilder(db.Source);
        var at = $"{csb.Host}:{csb.Port}";

        async Task<string> FailAsync(string cs)
        {
            var r = await ServerProbe.ProbeAsync(ServerEndpoint.Parse(ServerRole.Source, cs, "prod"), CancellationToken.None, TimeSpan.FromSeconds(3));
            Assert.False(r.Ok);
            Assert.Equal(r.Error, r.Summary);
            Assert.DoesNotContain("\n", r.Error);
            return r.Error!;
        }

        Assert.Equal($"source 'prod' ({at}): wrong password for user 'postgres'",
            await FailAsync(new NpgsqlConnectionStringBuilder(db.Source) { Password = "Not-the-password-42" }.ConnectionString));
        var missing = new NpgsqlConnectionStringBuilder(db.Source) { Database = "no_such_db_here" }.ConnectionString;
        Assert.Equal($"source 'prod' ({at}): database 'no_such_db_here' does not exist", await FailAsync(missing));
        var closed = LocalCluster.FreePort();
        Assert.Equal($"source 'prod' (127.0.0.1:{closed}): connection refused: nothing listens on 127.0.0.1:{closed}",
            await FailAsync(new NpgsqlConnectionStringBuilder(db.Source) { Port = closed }.ConnectionString));
        Assert.Equal($"source 'prod' ({at}): SSL required by this connection, but the server does not accept SSL connections",
            await FailAsync(new NpgsqlConnectionStringBuilder(db.Source) { SslMode = SslMode.Require }.ConnectionString));

        // A host made of shell metacharacters is only a name to resolve: it fails as an unknown host, and nothing ran.
        var hostile = "db.invalid$(touch /tmp/pgclone-pwned)`id`;rm -rf x|cat";
        Assert.Equal($"source 'prod' ({hostile}:5432): unknown host '{hostile}'",
            await FailAsync(new NpgsqlConnectionStringBuilder(db.Source) { Host = hostile, Port = 5432 }.ConnectionString));
        Assert.False(File.Exists("/tmp/pgclone-pwned"));

        // A server that accepts the connection but never answers: the short connect timeout ends it, not the driver's 15 s.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var silentPort = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var started = DateTime.UtcNow;
        Assert.Equal($"source 'prod' (127.0.0.1:{silentPort}): timed out after 3 s connecting to 127.0.0.1:{silentPort}",
            await FailAsync(new NpgsqlConnectionStringBuilder(db.Source) { Port = silentPort }.ConnectionString));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(8));
    }

    private static string User(string cs, string user, string password) =>
        new NpgsqlConnectionStringBuilder(cs) { Username = user, Password = password }.ConnectionString;
}
