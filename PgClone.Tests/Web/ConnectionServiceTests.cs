using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;
using PgClone.Web.Connections;

namespace PgClone.Tests.Web;

/// <summary>Registered connections: encrypted at rest, readable by every console instance on the same database.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConnectionServiceTests(PgServersFixture fx)
{
    [Fact]
    public async Task Passwords_are_encrypted_at_rest_and_another_instance_can_decrypt_them()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_conn");
        var target = new NpgsqlConnectionStringBuilder(dbs.Target);

        await using (var first = ConsoleFactory.OnDatabase(dbs.Source))
        {
            var service = first.Services.GetRequiredService<ConnectionService>();
            var added = await service.AddAsync(new NewConnection("staging", target.Host!, target.Port, target.Database!, target.Username!, target.Password, SslMode.Disable), "alice@example.com");
            Assert.Equal(("staging", "alice@example.com", "alice@example.com"), (added.Name, added.CreatedBy, added.UpdatedBy));

            var duplicate = await Assert.ThrowsAsync<PgCloneException>(() =>
                service.AddAsync(new NewConnection("staging", "elsewhere", 5432, "x", "y", null), "bob@example.com"));
            Assert.Equal("connection 'staging' already exists", duplicate.Message);
            var missing = await Assert.ThrowsAsync<PgCloneException>(() => service.GetEndpointAsync("nope", ServerRole.Target));
            Assert.Equal("target: connection 'nope' does not exist", missing.Message);
        }

        var stored = (await PgServers.RowsAsync(dbs.Source, "SELECT \"PasswordEncrypted\" FROM connections WHERE \"Name\" = 'staging'"))[0][0] as string;
        Assert.NotNull(stored);
        Assert.DoesNotContain(target.Password!, stored);
        Assert.StartsWith("CfDJ8", stored); // the Data Protection payload header
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(dbs.Source, "SELECT count(*) FROM data_protection_keys"));

        // A second console on the same database shares the key ring and reaches the server with the password.
        await using var second = ConsoleFactory.OnDatabase(dbs.Source);
        var endpoint = await second.Services.GetRequiredService<ConnectionService>().GetEndpointAsync("staging", ServerRole.Target);
        Assert.Equal("target 'staging' (127.0.0.1:" + target.Port + ")", endpoint.Describe());
        Assert.Equal(target.Database, await PgServers.ScalarAsync<string>(endpoint.ConnectionString, "SELECT current_database()::text"));
    }
}
