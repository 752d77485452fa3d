using System.Buffers;
using System.Buffers.Binary;
using Npgsql;
using PgClone.Core.Copying;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

public sealed class BinaryCopyWalkerTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task Counts_rows_and_bytes_of_a_real_stream_whatever_the_chunk_boundaries()
    {
        var db = await fx.Servers.CreateDatabasesAsync("counter");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE t(id int, a int[], s text, b bytea, z int);
            INSERT INTO t SELECT i, CASE WHEN i % 3 = 0 THEN NULL ELSE ARRAY[i, NULL, i * 2] END,
                   CASE WHEN i % 5 = 0 THEN NULL ELSE repeat('x', i * 37) END, decode(repeat('ff', i), 'hex'), NULL
            FROM generate_series(1, 300) i;
            INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL);
            """);
        var stream = await ExportAsync(db.Source, "COPY t TO STDOUT (FORMAT binary)");
        foreach (var chunk in new[] { 1, 2, 3, 7, 19, 4096, stream.Length })
        {
            var counter = new BinaryCopyWalker();
            for (var i = 0; i < stream.Length; i += chunk) counter.Feed(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)));
            Assert.Equal(301, counter.Rows);
            Assert.Equal(stream.Length, counter.Bytes);
            Assert.True(counter.Complete);
        }
    }

    [Fact]
    public void A_stream_cut_before_its_trailer_is_not_complete_and_garbage_is_rejected()
    {
        var counter = new BinaryCopyWalker();
        counter.Feed((byte[])[0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 7]);
        Assert.Equal(1, counter.Rows);
        Assert.False(counter.Complete);
        var bad = new BinaryCopyWalker();
        var e = Assert.Throws<InvalidDataException>(() => bad.Feed(new byte[19]));
        Assert.Equal("not a binary COPY stream (bad signature)", e.Message);
    }

    /// <summary>
    /// The rewriter streams: whatever the chunk boundaries, the output is the same valid stream, and each chunk goes out
    /// as it comes (less a cut length or a cut masked value), so a 3 MB document beside a masked field is never held.
    /// </summary>
    [Fact]
    public async Task The_rewriter_passes_each_chunk_on_as_it_comes_and_gives_one_stream_whatever_the_boundaries()
    {
        var db = await fx.Servers.CreateDatabasesAsync("rewriter");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE t(id int, doc text, email text, a int[], b bytea);
            INSERT INTO t SELECT i, CASE WHEN i = 7 THEN repeat(md5(i::text), 100000) WHEN i % 4 = 0 THEN NULL ELSE repeat('d', i) END,
                   CASE WHEN i % 5 = 0 THEN NULL WHEN i % 6 = 0 THEN '' WHEN i = 9 THEN repeat('e', 200000) ELSE 'user' || i || '@x.org' END,
                   ARRAY[i, NULL], decode(repeat('ff', i), 'hex')
            FROM generate_series(1, 60) i;
            CREATE TABLE masked (LIKE t);
            """);
        var stream = await ExportAsync(db.Source, "COPY t TO STDOUT (FORMAT binary)");
        byte[]? first = null;
        foreach (var chunk in new[] { 1, 2, 3, 5, 19, 4096, 1 << 17, stream.Length })
        {
            var rewriter = new BinaryCopyWalker(5, new Dictionary<int, IFieldRewriter> { [2] = new LengthRewriter() });
            var output = new ArrayBufferWriter<byte>();
            for (var i = 0; i < stream.Length; i += chunk)
            {
                var before = output.WrittenCount;
                var n = Math.Min(chunk, stream.Length - i);
                rewriter.Feed(stream.AsSpan(i, n), output);
                // Out: at most the chunk, an item cut before it (the 19-byte header at most) and one rewritten value; over
                // the stream (3.2 MB) the output never lags by more than the held 200 kB email, the cut item and what
                // the rewrites shortened (NULLs and empty emails come out longer).
                Assert.InRange(output.WrittenCount - before, 0, n + 19 + 14);
                Assert.InRange(i + n - output.WrittenCount, -(60 * 5), 200_000 + 19 + 60 * 8);
            }
            Assert.True(rewriter.Complete);
            // It counts as it rewrites: the copy walks a masked table's stream once.
            Assert.Equal((60L, (long)stream.Length), (rewriter.Rows, rewriter.Bytes));
            first ??= output.WrittenSpan.ToArray();
            Assert.True(first.AsSpan().SequenceEqual(output.WrittenSpan), $"chunks of {chunk} bytes");
        }
        await using (var conn = new NpgsqlConnection(db.Source))
        {
            await conn.OpenAsync();
            await using var writer = await conn.BeginRawBinaryCopyAsync("COPY masked FROM STDIN (FORMAT binary)");
            await writer.WriteAsync(first);
        }
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Source, """
            SELECT count(*) FROM t FULL JOIN masked m USING (id)
            WHERE (t.doc, t.a, t.b) IS DISTINCT FROM (m.doc, m.a, m.b)
               OR m.email IS DISTINCT FROM CASE WHEN t.email IS NULL THEN 'null' ELSE 'len ' || octet_length(t.email) END
            """));
    }

    /// <summary>
    /// A rewriter that takes parts gets a cut value as the chunks bring it, never held whole, and the output is the same
    /// whatever the boundaries.
    /// </summary>
    [Fact]
    public async Task A_partwise_rewriter_gets_a_cut_value_in_parts_and_nothing_is_held()
    {
        var db = await fx.Servers.CreateDatabasesAsync("partwise");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE t(id int, doc text, n int);
            INSERT INTO t SELECT i, CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN '' ELSE repeat(chr(64 + i), i * 5000) END, i
            FROM generate_series(1, 40) i;
            """);
        var stream = await ExportAsync(db.Source, "COPY t TO STDOUT (FORMAT binary)");
        byte[]? first = null;
        foreach (var chunk in new[] { 1, 3, 19, 4096, 1 << 16, stream.Length })
        {
            var digest = new DigestRewriter();
            var walker = new BinaryCopyWalker(3, new Dictionary<int, IFieldRewriter> { [1] = digest });
            var output = new ArrayBufferWriter<byte>();
            for (var i = 0; i < stream.Length; i += chunk) walker.Feed(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)), output);
            Assert.True(walker.Complete);
            // The 20 documents (10 to 195 kB) are cut by every chunk size below 10 kB, and by none in one chunk.
            if (chunk < 10_000) Assert.Equal(20, digest.CutValues);
            if (chunk == stream.Length) Assert.Equal(0, digest.CutValues);
            first ??= output.WrittenSpan.ToArray();
            Assert.True(first.AsSpan().SequenceEqual(output.WrittenSpan), $"chunks of {chunk} bytes");
        }
        await PgServers.ExecAsync(db.Source, "CREATE TABLE digests (id int, d bytea, n int)");
        await using (var conn = new NpgsqlConnection(db.Source))
        {
            await conn.OpenAsync();
            await using var writer = await conn.BeginRawBinaryCopyAsync("COPY digests FROM STDIN (FORMAT binary)");
            await writer.WriteAsync(first);
        }
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Source, """
            SELECT count(*) FROM t JOIN digests d USING (id)
            WHERE d.d IS DISTINCT FROM substr(sha256(convert_to(t.doc, 'UTF8')), 1, 8) OR d.n <> t.n
            """));
    }

    private static async Task<byte[]> ExportAsync(string cs, string copy)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var reader = await conn.BeginRawBinaryCopyAsync(copy);
        using var ms = new MemoryStream();
        await reader.CopyToAsync(ms);
        return ms.ToArray();
    }

    /// <summary>Writes the first 8 bytes of a value's SHA-256 (NULL stays NULL), taking a cut value in parts.</summary>
    private sealed class DigestRewriter : IPartwiseFieldRewriter
    {
        private readonly System.Security.Cryptography.IncrementalHash _hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);

        public int CutValues { get; private set; }

        public bool TakesParts => true;

        public void Rewrite(ReadOnlySpan<byte> value, bool isNull, IBufferWriter<byte> output)
        {
            if (isNull)
            {
                BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), -1);
                output.Advance(4);
                return;
            }
            _hash.AppendData(value);
            Write(output);
        }

        public void Begin() => CutValues++;

        public void Append(ReadOnlySpan<byte> part) => _hash.AppendData(part);

        public void End(IBufferWriter<byte> output) => Write(output);

        private void Write(IBufferWriter<byte> output)
        {
            var span = output.GetSpan(12);
            BinaryPrimitives.WriteInt32BigEndian(span, 8);
            _hash.GetHashAndReset()[..8].CopyTo(span[4..]);
            output.Advance(12);
        }
    }

    /// <summary>Writes "len N" for a value of N bytes, and "null" for NULL.</summary>
    private sealed class LengthRewriter : IFieldRewriter
    {
        public void Rewrite(ReadOnlySpan<byte> value, bool isNull, IBufferWriter<byte> output)
        {
            var text = System.Text.Encoding.ASCII.GetBytes(isNull ? "null" : $"len {value.Length}");
            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), text.Length);
            output.Advance(4);
            output.Write(text);
        }
    }
}
