using System.Text;
using Npgsql;
using NpgsqlTypes;
using PgClone.Core.Copying;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Masking.MaskSql;

namespace PgClone.Tests.Core.Masking;

/// <summary>
/// The clone masks keyed and character strategies in process on the COPY stream, while views, mask-in-place and
/// masked-view policies keep the SQL expressions: both must give exactly the same values. Each case reads the values
/// with a real binary COPY, rewrites the stream (cut into odd chunks) with the clone's rewriter, loads it with a
/// real binary COPY, and compares every value with the SQL expression's result on the same server.
/// </summary>
public sealed class StreamMaskEquivalenceTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private string Cs => fx.Servers.SourceAdmin;

    /// <summary>Typical, empty, NULL, unicode (accents, CJK, emoji outside the BMP), '@' and digits in odd places.</summary>
    private static string?[] TextValues()
    {
        var fixedValues = new string?[]
        {
            null, "", " ", "a", "@", "@@", "a@", "@b", "alice@example.com", "a@b@c.org", "émile@exämple.fr", "😀@😀.com", "😀x@y",
            "0", "12", "123", "1234", "+1 (555) 123-4567", "555-12-3456", "٣٤٥٦٧٨", "١٢3", "10.0.0.1", "2001:db8::1",
            "Zoë Ångström", "日本語のテキスト", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 123", "tab\there", "line\nbreak", "quote'\"\\", new string('9', 300),
            "Customer Number 42", "   padded   ",
        };
        var random = new Random(12345);
        const string alphabet = "abcXYZ0123456789@.-+() éüß日本😀";
        var generated = Enumerable.Range(0, 300).Select(i =>
        {
            var sb = new StringBuilder();
            var length = random.Next(0, 24);
            var runes = alphabet.EnumerateRunes().ToArray();
            for (var k = 0; k < length; k++) sb.Append(runes[random.Next(runes.Length)].ToString());
            return (string?)sb.ToString();
        });
        return [.. fixedValues, .. generated];
    }

    public static TheoryData<string, string> TextCases() => new()
    {
        { "\"email\"", "text" }, { "\"name\"", "text" }, { "\"phone\"", "text" },
        { """{"type": "partial", "prefix": 2, "suffix": 3}""", "text" }, { """{"type": "partial", "prefix": 0, "suffix": 0}""", "text" },
        { "\"keyed_hash\"", "text" }, { "\"fake_name\"", "text" }, { "\"fake_email\"", "text" }, { "\"keep_format\"", "text" },
        { "\"keep_format\"", "character varying" }, { "\"keyed_hash\"", "character varying(20)" }, { "\"fake_name\"", "character varying(7)" },
        { "\"email\"", "character varying(5)" }, { "\"partial\"", "character varying(2)" },
        { "\"keyed_email\"", "text" }, { "\"keyed_email\"", "character varying(30)" },
    };

    [Theory]
    [MemberData(nameof(TextCases))]
    public async Task Text_masks_computed_on_the_stream_equal_the_sql_expressions(string rule, string type)
    {
        var values = TextValues();
        if (type.Contains('(')) values = [.. values.Where(v => v is null || v.EnumerateRunes().Count() <= int.Parse(type[(type.IndexOf('(') + 1)..type.IndexOf(')')]))];
        // Each value twice, the second time in reverse order: masks memoized on the stream give what they gave the first time.
        values = [.. values, .. values.Reverse()];
        Assert.Equal(await ApplyAsync(Cs, rule, type, values), await OnStreamAsync(Rule(rule), type, values));
    }

    /// <summary>
    /// A value of megabytes is masked on its UTF-8 bytes, with room for its mask only: the strategies that keep a few
    /// characters of it ask for a few bytes, not its length (a 150 MB document masked with partial once took 2.2 GB,
    /// decoded into a string and an array of its characters).
    /// </summary>
    [Theory]
    [InlineData("""{"type": "partial", "prefix": 2, "suffix": 3}""", 23)]
    [InlineData("\"keyed_hash\"", 64)]
    [InlineData("\"fake_email\"", 34)]
    [InlineData("\"fake_name\"", 19)]
    [InlineData("\"name\"", 4)]
    [InlineData("\"phone\"", 8)]
    [InlineData("\"email\"", 12)]
    [InlineData("\"keyed_email\"", 31)]
    public async Task A_huge_value_is_masked_on_its_bytes_with_room_for_its_mask_only(string rule, int room)
    {
        var huge = "éü😀" + new string('x', 2_000_000) + "日本 555-1234 @" + new string('ü', 1_000_000) + "@ex.org";
        Assert.Equal(room, MaskValues.MaxUtf8Length(Rule(rule), Encoding.UTF8.GetBytes(huge)));
        string?[] values = [huge, "ab@c", "日本語のテキスト"];
        Assert.Equal(await ApplyAsync(Cs, rule, "text", values), await OnStreamAsync(Rule(rule), "text", values));
    }

    [Fact]
    public async Task Keyed_hash_of_uuids_on_the_stream_equals_the_sql_expression()
    {
        var values = new string?[] { null, "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff" }
            .Concat(Enumerable.Range(0, 200).Select(i => (string?)new Guid(System.Security.Cryptography.MD5.HashData(BitConverter.GetBytes(i))).ToString())).ToArray();
        Assert.Equal(await ApplyAsync(Cs, "\"keyed_hash\"", "uuid", values), await OnStreamAsync(Rule("\"keyed_hash\""), "uuid", values));
    }

    [Theory]
    [InlineData("date", 30)]
    [InlineData("date", 1)]
    [InlineData("timestamp without time zone", 30)]
    [InlineData("timestamp without time zone", 3650)]
    public async Task Date_shift_on_the_stream_equals_the_sql_expression(string type, int days)
    {
        var rule = $$"""{"type": "date_shift", "days": {{days}}}""";
        var values = new List<string?> { null, "infinity", "-infinity", "2000-01-01", "1999-12-31", "1970-01-01", "1969-12-31", "2000-02-29", "2024-02-29",
            "1900-03-01", "0001-01-01", "4713-11-24 BC", "9999-12-31", "2038-01-19" };
        var random = new Random(7);
        if (type == "date")
            values.AddRange(Enumerable.Range(0, 300).Select(_ => (string?)new DateOnly(1, 1, 1).AddDays(random.Next(0, 3_652_000)).ToString("yyyy-MM-dd")));
        else
        {
            values.AddRange(["2000-01-01 00:00:00.000001", "1999-12-31 23:59:59.999999", "1969-12-31 23:59:59.5", "2020-03-08 02:30:00", "1901-12-13 20:45:52.123456"]);
            values.AddRange(Enumerable.Range(0, 300).Select(_ => (string?)new DateTime(1, 1, 1).AddTicks(random.NextInt64(0, new DateTime(9999, 1, 1).Ticks) / 10 * 10)
                .ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture)));
        }
        var expected = await ApplyAsync(Cs, rule, type, [.. values]);
        Assert.Equal(expected, await OnStreamAsync(Rule(rule), type, [.. values]));
    }

    [Fact]
    public void Strategies_left_to_sql_and_types_whose_cast_differs_are_not_streamed()
    {
        Assert.Null(StreamMask.Plan(Rule("\"hash\""), Column("text")));
        Assert.Null(StreamMask.Plan(Rule("\"null\""), Column("text")));
        Assert.Null(StreamMask.Plan(Rule("""{"type": "constant", "value": "x"}"""), Column("text")));
        Assert.Null(StreamMask.Plan(Rule("""{"type": "random_int", "min": 1, "max": 2}"""), Column("integer")));
        Assert.Null(StreamMask.Plan(Rule("\"date_shift\""), Column("timestamp with time zone")));
        Assert.Null(StreamMask.Plan(Rule("\"name\""), Column("character(8)")));
        Assert.Null(StreamMask.Plan(Rule("\"keep_format\""), Column("public.citext")));
        Assert.Null(StreamMask.Plan(Rule("\"email\""), Column("uuid")));
        Assert.Equal(StreamMaskType.Text, StreamMask.Plan(Rule("\"keyed_hash\""), Column("character varying(64)"))?.Type);
    }

    /// <summary>Values through the clone's path: binary COPY out (as the plan reads them), stream rewrite, binary COPY in.</summary>
    private async Task<List<string?>> OnStreamAsync(MaskRule rule, string type, string?[] values)
    {
        var planned = StreamMask.Plan(rule, Column(type)) ?? throw new InvalidOperationException($"{rule} on {type} is not streamed");
        var rewriter = StreamMaskRewriters.For(2, [new StreamMask(1, rule, planned.Type) { MaxLength = planned.MaxLength }], () => Secret)!;
        await using var conn = new NpgsqlConnection(Cs);
        await conn.OpenAsync();
        await using (var create = new NpgsqlCommand(
            $"CREATE TEMP TABLE src AS SELECT u.ord, u.raw::{type} AS \"value\" FROM unnest($1::text[]) WITH ORDINALITY AS u(raw, ord)", conn))
        {
            create.Parameters.Add(new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await create.ExecuteNonQueryAsync();
        }
        await using (var dst = new NpgsqlCommand($"CREATE TEMP TABLE dst (ord bigint, \"value\" {type})", conn)) await dst.ExecuteNonQueryAsync();
        var raw = new MemoryStream();
        await using (var reader = await conn.BeginRawBinaryCopyAsync($"COPY (SELECT ord, {planned.ReadAs} FROM src) TO STDOUT (FORMAT binary)"))
            await reader.CopyToAsync(raw);
        // Odd chunk sizes, so tuples and even the header are cut at every kind of boundary.
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        var bytes = raw.ToArray();
        var chunks = new Random(3);
        for (var at = 0; at < bytes.Length;)
        {
            var n = Math.Min(bytes.Length - at, chunks.Next(1, 97));
            rewriter.Feed(bytes.AsSpan(at, n), output);
            at += n;
        }
        Assert.True(rewriter.Complete);
        await using (var writer = await conn.BeginRawBinaryCopyAsync("COPY dst (ord, \"value\") FROM STDIN (FORMAT binary)"))
            await writer.WriteAsync(output.WrittenMemory);
        await using var cmd = new NpgsqlCommand("SELECT \"value\"::text FROM dst ORDER BY ord", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var result = new List<string?>();
        while (await r.ReadAsync()) result.Add(r.IsDBNull(0) ? null : r.GetString(0));
        return result;
    }
}
