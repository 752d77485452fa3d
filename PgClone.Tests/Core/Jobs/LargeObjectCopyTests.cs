using PgClone.Core;
using PgClone.Tests.Core.Ddl;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

/// <summary>Large objects of every size around the copier's boundaries (its 64 kB heads read in batches, 1 MB chunks after) arrive byte for byte.</summary>
public sealed class LargeObjectCopyTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Many_large_objects_of_boundary_sizes_are_copied_byte_for_byte()
    {
        var db = await fx.Servers.CreateDatabasesAsync("lobs");
        // 200 objects (more than three batches): empty, one byte, around the head size, around head + chunk, and a few MB.
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE docs (id int PRIMARY KEY, body oid);
            INSERT INTO docs
            SELECT g, lo_from_bytea(0, substr(decode(repeat(md5(g::text), 200000), 'hex'), 1,
                (ARRAY[0, 1, 65535, 65536, 65537, 1114111, 1114112, 1114113, 3000000, 131072])[1 + g % 10] + (g / 10) % 3))
            FROM generate_series(1, 200) g;
            """);

        await CloneKit.CloneAsync(db, CloneOperation.Database);

        const string digests = "SELECT string_agg(m.oid::text || ':' || md5(lo_get(m.oid)), ',' ORDER BY m.oid) FROM pg_largeobject_metadata m";
        var expected = await PgServers.ScalarAsync<string>(db.Source, digests);
        Assert.Equal(expected, await PgServers.ScalarAsync<string>(db.Target, digests));
        Assert.Equal(200L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_largeobject_metadata"));
        Assert.Equal(await PgServers.ScalarAsync<long>(db.Source, "SELECT sum(length(lo_get(oid))) FROM pg_largeobject_metadata"),
            await PgServers.ScalarAsync<long>(db.Target, "SELECT sum(length(lo_get(oid))) FROM pg_largeobject_metadata"));
    }

    /// <summary>
    /// A large object of many chunks, stored compressed so that the source sends each 1 MB chunk slower than the client
    /// reads it: the chunk read used to wait on the socket synchronously (Npgsql's ExecuteScalarAsync), on the socket
    /// engine's own thread, and the command line hung for good with the object cut after its first chunk.
    /// </summary>
    [Fact]
    public async Task A_database_with_a_30_MB_large_object_is_cloned_by_the_cli_byte_for_byte()
    {
        var db = await fx.Servers.CreateDatabasesAsync("clilob");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE docs (id int PRIMARY KEY, body oid);
            INSERT INTO docs VALUES (1, lo_from_bytea(0, decode(repeat('ab', 30000000), 'hex'))),
                                    (2, lo_from_bytea(0, convert_to('small', 'UTF8')));
            """);

        var r = await PgCloneCli.RunAsync("database", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target));

        Assert.True(r.ExitCode == 0, r.Stderr);
        const string digests = "SELECT string_agg(d.id || ':' || length(lo_get(d.body)) || ':' || md5(lo_get(d.body)), ',' ORDER BY d.id) FROM docs d";
        Assert.Equal($"1:30000000:{await PgServers.ScalarAsync<string>(db.Source, "SELECT md5(decode(repeat('ab', 30000000), 'hex'))")},2:5:{await PgServers.ScalarAsync<string>(db.Source, "SELECT md5('small')")}",
            await PgServers.ScalarAsync<string>(db.Target, digests));
    }
}
