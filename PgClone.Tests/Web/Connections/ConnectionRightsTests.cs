using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Tests.Fixtures;
using PgClone.Web.Connections;
using PgClone.Web.Data;

namespace PgClone.Tests.Web.Connections;

/// <summary>
/// Who sees and uses which connection: Admins everything, Auditors see all but use none, Operators only what is
/// granted to them or to their role, per side. Plus the life cycle: edit keeps the password, duplicate, delete.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ConnectionRightsTests(PgServersFixture fx)
{
    [Fact]
    public async Task Operators_see_and_use_only_what_is_granted_per_side_auditors_see_all_and_use_none()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_rights");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var service = console.Services.GetRequiredService<ConnectionService>();
        var admin = await ConsoleUsers.AddAsync(console, "admin@example.com", AppRoles.Admin);
        var alice = await ConsoleUsers.AddAsync(console, "alice@example.com", AppRoles.Operator);
        var bob = await ConsoleUsers.AddAsync(console, "bob@example.com", AppRoles.Operator);
        var audrey = await ConsoleUsers.AddAsync(console, "audrey@example.com", AppRoles.Auditor);
        var prod = await service.AddAsync(new NewConnection("prod", "db.example", 5432, "shop", "reader", "pw"), "admin@example.com");
        var staging = await service.AddAsync(new NewConnection("staging", "db.example", 5432, "shop_staging", "app", "pw"), "admin@example.com");
        var scratch = await service.AddAsync(new NewConnection("scratch", "db.example", 5432, "scratch", "app", "pw"), "admin@example.com");

        // prod: alice as source (by user). staging: every Operator as target (by role). scratch: nobody.
        await service.SetRightsAsync(prod.Id, new ConnectionRights([], ["alice@example.com"], [], []));
        await service.SetRightsAsync(staging.Id, new ConnectionRights([], [], [AppRoles.Operator], []));
        Assert.Equal(new ConnectionRights([], ["alice@example.com"], [], []) with { }, await service.GetRightsAsync(prod.Id), RightsComparer.Instance);

        async Task<string[]> Names(Task<List<ConnectionSummary>> list) => (await list).Select(c => c.Name).ToArray();
        Assert.Equal(["prod", "scratch", "staging"], await Names(service.ListVisibleAsync(admin)));
        Assert.Equal(["prod", "scratch", "staging"], await Names(service.ListUsableAsync(admin, ConnectionUse.Target)));
        Assert.Equal(["prod", "staging"], await Names(service.ListVisibleAsync(alice)));
        Assert.Equal(["prod"], await Names(service.ListUsableAsync(alice, ConnectionUse.Source)));
        Assert.Equal(["staging"], await Names(service.ListUsableAsync(alice, ConnectionUse.Target)));
        Assert.Equal(["staging"], await Names(service.ListVisibleAsync(bob)));
        Assert.Empty(await service.ListUsableAsync(bob, ConnectionUse.Source));
        Assert.Equal(["prod", "scratch", "staging"], await Names(service.ListVisibleAsync(audrey)));
        Assert.Empty(await service.ListUsableAsync(audrey, ConnectionUse.Source));
        Assert.Empty(await service.ListUsableAsync(audrey, ConnectionUse.Target));

        await service.EnsureCanUseAsync(alice, prod.Id, ConnectionUse.Source);
        await service.EnsureCanUseAsync(admin, scratch.Id, ConnectionUse.Source);
        var denied = await Assert.ThrowsAsync<ConnectionAccessDeniedException>(() => service.EnsureCanUseAsync(bob, prod.Id, ConnectionUse.Source));
        Assert.Equal("bob@example.com may not use connection 'prod' as a source: ask an Admin to grant it", denied.Message);
        denied = await Assert.ThrowsAsync<ConnectionAccessDeniedException>(() => service.EnsureCanUseAsync(alice, prod.Id, ConnectionUse.Target));
        Assert.Equal("alice@example.com may not use connection 'prod' as a target: ask an Admin to grant it", denied.Message);
        await Assert.ThrowsAsync<ConnectionAccessDeniedException>(() => service.EnsureCanUseAsync(audrey, staging.Id, ConnectionUse.Target));
        var missing = await Assert.ThrowsAsync<ConnectionNotFoundException>(() => service.EnsureCanUseAsync(alice, 999_999, ConnectionUse.Source));
        Assert.Equal("connection #999999 does not exist", missing.Message);

        // Grants name existing roles and users only; replacing them is whole.
        Assert.Equal("role 'Root' does not exist (roles: Admin, Operator, Auditor)",
            (await Assert.ThrowsAsync<PgCloneException>(() => service.SetRightsAsync(prod.Id, new ConnectionRights(["Root"], [], [], [])))).Message);
        Assert.Equal("user 'mallory@example.com' does not exist",
            (await Assert.ThrowsAsync<PgCloneException>(() => service.SetRightsAsync(prod.Id, new ConnectionRights([], ["mallory@example.com"], [], [])))).Message);
        await service.SetRightsAsync(prod.Id, new ConnectionRights([AppRoles.Operator], [], [], ["bob@example.com"]));
        Assert.Equal(["prod", "staging"], await Names(service.ListUsableAsync(bob, ConnectionUse.Target)));
        Assert.Equal(["prod"], await Names(service.ListUsableAsync(bob, ConnectionUse.Source)));
        Assert.Equal(["prod"], await Names(service.ListUsableAsync(alice, ConnectionUse.Source)));

        // Deleting a connection deletes its grants.
        await service.DeleteAsync(prod.Id);
        Assert.Equal(1L, await PgServers.ScalarAsync<long>(dbs.Source, "SELECT count(*) FROM connection_grants"));
        Assert.Empty(await service.FindUsagesAsync(staging.Id));
    }

    [Fact]
    public async Task Editing_keeps_the_stored_password_unless_a_new_one_is_typed_and_duplicates_copy_it()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_edit");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var service = console.Services.GetRequiredService<ConnectionService>();
        var target = new NpgsqlConnectionStringBuilder(dbs.Target);
        var added = await service.AddAsync(new NewConnection("  tgt  ", target.Host!, target.Port, target.Database!, target.Username!, target.Password,
            SslMode.Disable, ConnectionEnvironment.Staging, null, " nightly copy "), "admin@example.com");
        Assert.Equal(("tgt", ConnectionEnvironment.Staging, "nightly copy", true), (added.Name, added.Environment, added.Notes, added.HasPassword));

        var edited = await service.UpdateAsync(added.Id, new NewConnection("tgt-renamed", target.Host!, target.Port, target.Database!, target.Username!, "",
            SslMode.Disable, ConnectionEnvironment.Production), "bob@example.com");
        Assert.Equal(("tgt-renamed", ConnectionEnvironment.Production, (string?)null, true, "bob@example.com"), (edited.Name, edited.Environment, edited.Notes, edited.HasPassword, edited.UpdatedBy));
        Assert.True((await service.TestAsync(added.Id)).Ok); // the stored password still works

        var copy = await service.DuplicateAsync(added.Id, "carol@example.com");
        var copy2 = await service.DuplicateAsync(added.Id, "carol@example.com");
        Assert.Equal(("tgt-renamed (copy)", "tgt-renamed (copy 2)", "carol@example.com"), (copy.Name, copy2.Name, copy.CreatedBy));
        Assert.True((await service.TestAsync(copy.Id)).Ok);

        await service.UpdateAsync(added.Id, new NewConnection("tgt-renamed", target.Host!, target.Port, target.Database!, target.Username!, "Wrong-now-1", SslMode.Disable), "bob@example.com");
        Assert.Equal($"connection 'tgt-renamed' (127.0.0.1:{target.Port}): wrong password for user 'postgres'", (await service.TestAsync(added.Id)).Error);

        Assert.Equal("connection 'tgt-renamed (copy)' already exists", (await Assert.ThrowsAsync<PgCloneException>(() =>
            service.UpdateAsync(copy2.Id, new NewConnection("tgt-renamed (copy)", "h", 5432, "d", "u", null), "x"))).Message);
        Assert.Equal("connection 'x': port 70000 is not between 1 and 65535", (await Assert.ThrowsAsync<PgCloneException>(() =>
            service.AddAsync(new NewConnection("x", "h", 70000, "d", "u", null), "x"))).Message);
        Assert.Equal("connection 'x': the root certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----)", (await Assert.ThrowsAsync<PgCloneException>(() =>
            service.AddAsync(new NewConnection("x", "h", 5432, "d", "u", null, RootCertificate: "not a cert"), "x"))).Message);
        await service.DeleteAsync(copy2.Id);
        Assert.Equal("connection #" + copy2.Id + " does not exist", (await Assert.ThrowsAsync<ConnectionNotFoundException>(() => service.DeleteAsync(copy2.Id))).Message);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_root_certificate_reaches_npgsql_as_a_private_file()
    {
        var dbs = await fx.Servers.CreateDatabasesAsync("console_cert");
        await using var console = ConsoleFactory.OnDatabase(dbs.Source);
        var service = console.Services.GetRequiredService<ConnectionService>();
        const string pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUTest\n-----END CERTIFICATE-----";
        var c = await service.AddAsync(new NewConnection("tls", "db.example", 5432, "d", "u", null, SslMode.VerifyFull, RootCertificate: pem), "x");
        Assert.Equal(pem, c.RootCertificate);
        var endpoint = await service.GetEndpointAsync(c.Id, ServerRole.Source);
        var path = endpoint.Builder.RootCertificate!;
        Assert.Equal(pem, await File.ReadAllTextAsync(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(path)!));
        Assert.Equal(SslMode.VerifyFull, endpoint.Builder.SslMode);
    }

    private sealed class RightsComparer : IEqualityComparer<ConnectionRights>
    {
        public static readonly RightsComparer Instance = new();
        public bool Equals(ConnectionRights? x, ConnectionRights? y) => x is not null && y is not null
            && x.SourceRoles.SequenceEqual(y.SourceRoles) && x.SourceUsers.SequenceEqual(y.SourceUsers)
            && x.TargetRoles.SequenceEqual(y.TargetRoles) && x.TargetUsers.SequenceEqual(y.TargetUsers);
        public int GetHashCode(ConnectionRights obj) => 0;
    }
}
