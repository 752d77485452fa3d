using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Copying;

/// <summary>
/// Streams large objects' bytes from the source to the target (lo_get on the source, inside the run's snapshot;
/// lo_put on the target into the object the schema step created). The first bytes of a batch of objects go in one
/// round trip each way, as most objects are small (one read and one write per object took 0.65 ms an object); the
/// rest of a larger object follows in fixed chunks. Memory stays at one batch of heads or one chunk, whatever the
/// objects' sizes. Rewriting from offset 0 makes a resumed copy idempotent.
/// </summary>
public static class LargeObjectCopier
{
    private const int Chunk = 1 << 20;
    /// <summary>Objects whose heads are read, then written, together.</summary>
    private const int Batch = 64;
    /// <summary>The bytes read at first from each object of a batch: a batch holds at most Batch × Head bytes.</summary>
    private const int Head = 64 << 10;

    /// <returns>The bytes copied.</returns>
    public static async Task<long> CopyAsync(NpgsqlConnection source, ServerEndpoint sourceServer, NpgsqlConnection target, ServerEndpoint targetServer,
        IReadOnlyList<uint> oids, CancellationToken ct)
    {
        long total = 0;
        for (var start = 0; start < oids.Count; start += Batch)
        {
            var batch = oids.Skip(start).Take(Batch).ToArray();
            var heads = await ReadHeadsAsync(source, sourceServer, batch, ct);
            await WriteHeadsAsync(target, targetServer, batch, heads, ct);
            for (var i = 0; i < batch.Length; i++)
            {
                total += heads[i].Length;
                if (heads[i].Length == Head) total += await CopyRestAsync(source, sourceServer, target, targetServer, batch[i], Head, ct);
            }
        }
        return total;
    }

    private static async Task<byte[][]> ReadHeadsAsync(NpgsqlConnection source, ServerEndpoint server, uint[] batch, CancellationToken ct)
    {
        await using var read = new NpgsqlCommand(
            "SELECT pg_catalog.lo_get(u.o, 0, $2) FROM pg_catalog.unnest($1::pg_catalog.oid[]) WITH ORDINALITY AS u(o, n) ORDER BY u.n", source);
        read.Parameters.Add(new NpgsqlParameter<uint[]> { DataTypeName = "oid[]", TypedValue = batch });
        read.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Head });
        var heads = new byte[batch.Length][];
        try
        {
            await using var reader = await read.ExecuteReaderAsync(ct);
            for (var i = 0; await reader.ReadAsync(ct); i++) heads[i] = reader.GetFieldValue<byte[]>(0);
        }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(server, Describe(batch), e); }
        return heads;
    }

    private static async Task WriteHeadsAsync(NpgsqlConnection target, ServerEndpoint server, uint[] batch, byte[][] heads, CancellationToken ct)
    {
        await using var write = new NpgsqlBatch(target);
        for (var i = 0; i < batch.Length; i++)
            if (heads[i].Length > 0) write.BatchCommands.Add(Put(batch[i], 0, heads[i]));
        if (write.BatchCommands.Count == 0) return;
        try { await write.ExecuteNonQueryAsync(ct); }
        catch (PostgresException e) when (e.BatchCommand?.Parameters[0].Value is uint oid) { throw PgCloneException.FromDriver(server, $"large object {oid}", e); }
        catch (NpgsqlException e) { throw PgCloneException.FromDriver(server, Describe(batch), e); }
    }

    private static NpgsqlBatchCommand Put(uint oid, long offset, byte[] bytes) => new("SELECT pg_catalog.lo_put($1, $2, $3)")
    {
        Parameters =
        {
            new NpgsqlParameter<uint> { DataTypeName = "oid", TypedValue = oid },
            new NpgsqlParameter<long> { TypedValue = offset },
            new NpgsqlParameter<byte[]> { TypedValue = bytes },
        },
    };

    private static string Describe(uint[] batch) =>
        batch.Length == 1 ? $"large object {batch[0]}" : $"large objects {batch[0]} to {batch[^1]}";

    /// <summary>The rest of one object past its head, a chunk at a time.</summary>
    private static async Task<long> CopyRestAsync(NpgsqlConnection source, ServerEndpoint sourceServer, NpgsqlConnection target, ServerEndpoint targetServer,
        uint oid, long offset, CancellationToken ct)
    {
        var name = $"large object {oid}";
        long copied = 0;
        await using var read = new NpgsqlCommand("SELECT pg_catalog.lo_get($1, $2, $3)", source);
        read.Parameters.Add(new NpgsqlParameter<uint> { DataTypeName = "oid", TypedValue = oid });
        read.Parameters.Add(new NpgsqlParameter<long>());
        read.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Chunk });
        while (true)
        {
            ((NpgsqlParameter<long>)read.Parameters[1]).TypedValue = offset;
            byte[] bytes;
            try { bytes = await Jobs.JobSession.FirstValueAsync(read, ct) as byte[] ?? []; }
            catch (NpgsqlException e) { throw PgCloneException.FromDriver(sourceServer, name, e); }
            if (bytes.Length == 0) return copied;
            await using (var write = new NpgsqlBatch(target) { BatchCommands = { Put(oid, offset, bytes) } })
            {
                try { await write.ExecuteNonQueryAsync(ct); }
                catch (NpgsqlException e) { throw PgCloneException.FromDriver(targetServer, name, e); }
            }
            offset += bytes.Length;
            copied += bytes.Length;
            if (bytes.Length < Chunk) return copied;
        }
    }
}
