using Npgsql;
using PgClone.Core.Copying;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Jobs;

public sealed class BinaryCopyCounterTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
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
        byte[] stream;
        await using (var conn = new NpgsqlConnection(db.Source))
        {
            await conn.OpenAsync();
            await using var reader = await conn.BeginRawBinaryCopyAsync("COPY t TO STDOUT (FORMAT binary)");
            using var ms = new MemoryStream();
            await reader.CopyToAsync(ms);
            stream = ms.ToArray();
        }
        foreach (var chunk in new[] { 1, 2, 3, 7, 19, 4096, stream.Length })
        {
            var counter = new BinaryCopyCounter();
            for (var i = 0; i < stream.Length; i += chunk) counter.Feed(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)));
            Assert.Equal(301, counter.Rows);
            Assert.Equal(stream.Length, counter.Bytes);
            Assert.True(counter.Complete);
        }
    }

    [Fact]
    public void A_stream_cut_before_its_trailer_is_not_complete_and_garbage_is_rejected()
    {
        var counter = new BinaryCopyCounter();
        counter.Feed((byte[])[0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 7]);
        Assert.Equal(1, counter.Rows);
        Assert.False(counter.Complete);
        var bad = new BinaryCopyCounter();
        var e = Assert.Throws<InvalidDataException>(() => bad.Feed(new byte[19]));
        Assert.Equal("not a binary COPY stream (bad signature)", e.Message);
    }
}
