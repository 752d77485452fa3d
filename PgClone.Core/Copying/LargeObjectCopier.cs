using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Copying;

/// <summary>
/// Streams large objects' bytes from the source to the target in fixed chunks (lo_get on the source, inside the
/// run's snapshot; lo_put on the target into the object the schema step created), so memory stays at one chunk
/// whatever an object's size. Rewriting from offset 0 makes a resumed copy idempotent.
/// </summary>
public static class LargeObjectCopier
{
    private const int Chunk = 1 << 20;

    /// <returns>The bytes copied.</returns>
    public static async Task<long> CopyAsync(NpgsqlConnection source, ServerEndpoint sourceServer, NpgsqlConnection target, ServerEndpoint targetServer,
        IReadOnlyList<uint> oids, CancellationToken ct)
    {
        long total = 0;
        await using var read = new NpgsqlCommand("SELECT pg_catalog.lo_get($1, $2, $3)", source);
        read.Parameters.Add(new NpgsqlParameter<uint> { DataTypeName = "oid" });
        read.Parameters.Add(new NpgsqlParameter<long>());
        read.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Chunk });
        await using var write = new NpgsqlCommand("SELECT pg_catalog.lo_put($1, $2, $3)", target);
        write.Parameters.Add(new NpgsqlParameter<uint> { DataTypeName = "oid" });
        write.Parameters.Add(new NpgsqlParameter<long>());
        write.Parameters.Add(new NpgsqlParameter<byte[]>());
        foreach (var oid in oids)
        {
            var name = $"large object {oid}";
            for (long offset = 0; ; )
            {
                ((NpgsqlParameter<uint>)read.Parameters[0]).TypedValue = oid;
                ((NpgsqlParameter<long>)read.Parameters[1]).TypedValue = offset;
                byte[] bytes;
                try { bytes = (byte[])(await read.ExecuteScalarAsync(ct))!; }
                catch (NpgsqlException e) { throw PgCloneException.FromDriver(sourceServer, name, e); }
                if (bytes.Length == 0) break;
                ((NpgsqlParameter<uint>)write.Parameters[0]).TypedValue = oid;
                ((NpgsqlParameter<long>)write.Parameters[1]).TypedValue = offset;
                ((NpgsqlParameter<byte[]>)write.Parameters[2]).TypedValue = bytes;
                try { await write.ExecuteNonQueryAsync(ct); }
                catch (NpgsqlException e) { throw PgCloneException.FromDriver(targetServer, name, e); }
                offset += bytes.Length;
                total += bytes.Length;
                if (bytes.Length < Chunk) break;
            }
        }
        return total;
    }
}
