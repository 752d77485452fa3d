using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PgClone.Core;
using PgClone.Core.LocalServer;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;
using PgClone.Web.Connections;
using PgClone.Web.Embedded;

namespace PgClone.Tests.Web;

/// <summary>The console with no connection string: its own PostgreSQL cluster, demo databases and connections.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class EmbeddedModeTests
{
    [Fact, System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Without_a_connection_string_the_console_runs_its_own_server_with_demo_data_and_reuses_it()
    {
        var root = Path.Combine(Path.GetTempPath(), $"pgclone-embedded-{Guid.NewGuid():N}");
        var dataDir = Path.Combine(root, "pgdata");
        var settings = new Dictionary<string, string> { ["PgClone:DataDirectory"] = dataDir };
        try
        {
            int port;
            await using (var console = new ConsoleFactory(settings))
            {
                var connections = console.Services.GetRequiredService<ConnectionService>();
                port = console.Services.GetRequiredService<EmbeddedServer>().Cluster.Port;

                var listed = await connections.ListAsync();
                Assert.Equal(
                    [("demo-source", "127.0.0.1", port, "pgclone_demo_source", "postgres", "Disable", "pgclone"),
                     ("demo-target", "127.0.0.1", port, "pgclone_demo_target", "postgres", "Disable", "pgclone")],
                    listed.Select(c => (c.Name, c.Host, c.Port, c.Database, c.Username, c.SslMode.ToString(), c.CreatedBy)));

                // The stored (encrypted) password works: the demo source answers with its deterministic rows.
                var source = (await connections.GetEndpointAsync("demo-source", ServerRole.Source)).ConnectionString;
                Assert.Equal([2000L, 5000L, 3000L, 2000L], (await PgServers.RowsAsync(source,
                    "SELECT (SELECT count(*) FROM shop.customers), (SELECT count(*) FROM shop.orders), " +
                    "(SELECT count(*) FROM shop.payments), (SELECT count(*) FROM shop.customer_order_totals)"))[0]);
                Assert.Equal(["Liam", "Smith", "Liam Smith", "liam.smith1@example.com", "+1-555-0007919", new DateOnly(1950, 2, 7)],
                    (await PgServers.RowsAsync(source, "SELECT first_name, last_name, full_name, email, phone, date_of_birth FROM shop.customers WHERE id = 1"))[0]);
                Assert.Equal(["pending", "paid", "shipped", "delivered", "cancelled"],
                    (await PgServers.RowsAsync(source, "SELECT unnest(enum_range(NULL::shop.order_status))::text")).Select(r => (string)r[0]!));
                Assert.Equal(["customers.full_name:s", "customers.id:a", "orders.id:d", "payments.id:d"],
                    (await PgServers.RowsAsync(source,
                        "SELECT c.relname || '.' || a.attname || ':' || CASE WHEN a.attgenerated <> '' THEN a.attgenerated::text ELSE a.attidentity::text END " +
                        "FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
                        "WHERE n.nspname = 'shop' AND (a.attidentity <> '' OR a.attgenerated <> '') ORDER BY 1")).Select(r => (string)r[0]!));
                Assert.Equal("customers_touch_updated_at", await PgServers.ScalarAsync<string>(source,
                    "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'shop.customers'::regclass AND NOT tgisinternal"));

                var target = (await connections.GetEndpointAsync("demo-target", ServerRole.Target)).ConnectionString;
                Assert.Equal(0L, await PgServers.ScalarAsync<long>(target,
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"));

                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dataDir + ".password"));
            }

            // Stopped with the console, then reused: same password, same port, no second demo.
            Assert.False(File.Exists(Path.Combine(dataDir, "postmaster.pid")));
            await using (var again = new ConsoleFactory(settings))
            {
                Assert.Equal(port, again.Services.GetRequiredService<EmbeddedServer>().Cluster.Port);
                Assert.Equal(["demo-source", "demo-target"], (await again.Services.GetRequiredService<ConnectionService>().ListAsync()).Select(c => c.Name));

                // A second console on the same data directory is refused while this one runs.
                var second = new EmbeddedServer(Options.Create(new PgCloneOptions { DataDirectory = dataDir }), NullLogger<EmbeddedServer>.Instance);
                var refused = await Assert.ThrowsAsync<PgCloneException>(() => second.StartAsync(CancellationToken.None));
                Assert.Equal($"data directory {dataDir} is in use by another running PgClone console: stop that console or choose another data directory (PgClone:DataDirectory)", refused.Message);
            }
            Assert.False(File.Exists(Path.Combine(dataDir, "postmaster.pid")));

            // A server left running by a killed console (here: started by hand on another port) is taken over.
            var orphan = await LocalCluster.OpenAsync(dataDir, (await File.ReadAllTextAsync(dataDir + ".password")).Trim());
            var orphanPort = LocalCluster.FreePort();
            while (orphanPort == port) orphanPort = LocalCluster.FreePort();
            await orphan.StartAsync(orphanPort);
            await using (var afterCrash = new ConsoleFactory(settings))
            {
                Assert.Equal(port, afterCrash.Services.GetRequiredService<EmbeddedServer>().Cluster.Port);
                Assert.Equal(2, (await afterCrash.Services.GetRequiredService<ConnectionService>().ListAsync()).Count);
                Assert.Equal(orphan.Port, LocalCluster.EnsurePortFree(orphan.Port)); // nothing listens there any more
            }
            Assert.False(File.Exists(Path.Combine(dataDir, "postmaster.pid")));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
