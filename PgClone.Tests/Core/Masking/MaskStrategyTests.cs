using System.Security.Cryptography;
using System.Text;
using PgClone.Core.Masking;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Masking.MaskSql;

namespace PgClone.Tests.Core.Masking;

/// <summary>Every strategy's exact output on a real server: typical values, NULL, empty strings and odd input.</summary>
public sealed class MaskStrategyTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private string Cs => fx.Servers.SourceAdmin;

    [Fact]
    public async Task Email_keeps_the_first_letter_and_the_domain()
    {
        Assert.Equal(["a***@example.com", null, "***", "***", "***@example.com", "é***@exämple.fr", "a***@c.org"],
            await ApplyAsync(Cs, "\"email\"", "text", "alice@example.com", null, "", "no-at-sign", "@example.com", "émile@exämple.fr", "a@b@c.org"));
        Assert.Equal(["b***@example.org"], await ApplyAsync(Cs, "\"email\"", "character varying(40)", "bob@example.org"));
    }

    [Fact]
    public async Task Name_is_XXXX_and_fits_the_column_length()
    {
        Assert.Equal(["XXXX", null, "XXXX"], await ApplyAsync(Cs, "\"name\"", "text", "Alice", null, ""));
        Assert.Equal(["XX"], await ApplyAsync(Cs, "\"name\"", "character varying(2)", "Al"));
    }

    [Fact]
    public async Task Phone_keeps_the_last_four_digits()
    {
        Assert.Equal(["***-4567", null, "***", "***", "***-6543"],
            await ApplyAsync(Cs, "\"phone\"", "text", "+1-555-123-4567", null, "", "12", "(555) 987 6543 ext"));
    }

    [Fact]
    public async Task Partial_keeps_prefix_and_suffix_and_hides_short_values_entirely()
    {
        Assert.Equal(["Jo***son", "***", "***", "Jo***nso", null, "Zo***röm"],
            await ApplyAsync(Cs, """{"type": "partial", "prefix": 2, "suffix": 3}""", "text", "Johnson", "Jon", "", "Johnso", null, "Zoë Ångström"));
        Assert.Equal(["A***e"], await ApplyAsync(Cs, "\"partial\"", "text", "Alice"));
    }

    [Fact]
    public async Task Hash_is_the_md5_hex_and_fits_uuid_columns()
    {
        static string Md5(string s) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));
        Assert.Equal([Md5("alice"), null, Md5("")], await ApplyAsync(Cs, "\"hash\"", "text", "alice", null, ""));
        var md5 = Md5("6f1ed002-ab5d-42ad-8a1e-6f5c86f5e7a3");
        Assert.Equal([$"{md5[..8]}-{md5[8..12]}-{md5[12..16]}-{md5[16..20]}-{md5[20..]}"],
            await ApplyAsync(Cs, "\"hash\"", "uuid", "6f1ed002-ab5d-42ad-8a1e-6f5c86f5e7a3"));
    }

    [Fact]
    public async Task Null_random_int_and_constant_always_give_their_value()
    {
        Assert.Equal([null, null], await ApplyAsync(Cs, "\"null\"", "text", "alice", null));
        Assert.Equal(["REDACTED", "REDACTED", "REDACTED"], await ApplyAsync(Cs, """{"type": "constant", "value": "REDACTED"}""", "text", "alice", null, ""));
        Assert.Equal(["0", "0"], await ApplyAsync(Cs, """{"type": "constant", "value": 0}""", "integer", "55000", null));
        var values = await ApplyAsync(Cs, """{"type": "random_int", "min": 10, "max": 12}""", "integer",
            Enumerable.Range(0, 300).Select(i => i % 7 == 0 ? null : "99999").ToArray());
        Assert.Equal(["10", "11", "12"], values.Distinct().OrderBy(v => v).ToList());
    }

    [Fact]
    public async Task Keyed_hash_is_hmac_sha256_of_the_value_and_depends_on_the_secret()
    {
        Assert.Equal([Hex(Secret.Hmac("alice")), null, Hex(Secret.Hmac(""))], await ApplyAsync(Cs, "\"keyed_hash\"", "text", "alice", null, ""));
        var other = await ApplyAsync(Cs, Rule("\"keyed_hash\""), "text", MaskingSecret.FromText("another-secret-abcdefghij"), "alice");
        Assert.NotEqual(Hex(Secret.Hmac("alice")), other[0]);
        Assert.Equal(Hex(MaskingSecret.FromText("another-secret-abcdefghij").Hmac("alice")), other[0]);
        // A secret longer than the SHA-256 block is hashed first, as HMAC requires.
        var longSecret = MaskingSecret.FromText(new string('k', 100));
        Assert.Equal([Hex(longSecret.Hmac("alice"))], await ApplyAsync(Cs, Rule("\"keyed_hash\""), "text", longSecret, "alice"));
    }

    [Fact]
    public async Task Fake_name_and_fake_email_pick_from_the_lists_by_keyed_hash()
    {
        var h = Secret.Hmac("n:Alice Smith");
        Assert.Equal([$"{FakeNames.First[h[0] % 64]} {FakeNames.Last[h[1] % 64]}", null],
            await ApplyAsync(Cs, "\"fake_name\"", "text", "Alice Smith", null));
        var e = Secret.Hmac("e:alice@corp.com");
        var expected = $"{FakeNames.First[e[0] % 64]}.{FakeNames.Last[e[1] % 64]}".ToLowerInvariant() + $"{(e[2] * 256 + e[3]) % 1000}@{FakeNames.Domains[e[4] % 4]}";
        Assert.Equal([expected, null], await ApplyAsync(Cs, "\"fake_email\"", "text", "alice@corp.com", null));
    }

    [Fact]
    public async Task Date_shift_moves_a_date_by_a_keyed_nonzero_number_of_days_within_the_range()
    {
        // EXTRACT(EPOCH FROM date '2020-01-15') is 1579046400; the shift is s - days (s < days) or s - days + 1.
        var h = Secret.Hmac("d:1579046400");
        var s = (h[0] * 256 + h[1]) % 20;
        var shift = s < 10 ? s - 10 : s - 10 + 1;
        var expected = new DateOnly(2020, 1, 15).AddDays(shift).ToString("yyyy-MM-dd");
        Assert.Equal([expected, null], await ApplyAsync(Cs, """{"type": "date_shift", "days": 10}""", "date", "2020-01-15", null));
        var dates = Enumerable.Range(0, 200).Select(i => new DateOnly(2000, 1, 1).AddDays(i * 37)).ToArray();
        var shifted = await ApplyAsync(Cs, """{"type": "date_shift", "days": 10}""", "date", dates.Select(d => d.ToString("yyyy-MM-dd")).ToArray());
        var shifts = dates.Zip(shifted, (d, m) => DateOnly.Parse(m!).DayNumber - d.DayNumber).ToList();
        Assert.All(shifts, x => Assert.InRange(Math.Abs(x), 1, 10));
        Assert.True(shifts.Distinct().Count() > 10);
        var stamps = await ApplyAsync(Cs, """{"type": "date_shift", "days": 10}""", "timestamp with time zone", "2020-01-15 10:30:00+00", null);
        Assert.NotNull(stamps[0]);
        Assert.Null(stamps[1]);
    }

    [Fact]
    public async Task Keep_format_replaces_digits_by_keyed_digits_and_keeps_everything_else()
    {
        static string Expected(string v) => string.Concat(v.Select((ch, i) =>
            char.IsAsciiDigit(ch) ? (char)('0' + (ch - '0' + Secret.InnerHash("f:" + v[..i])[0]) % 10) : ch));
        Assert.Equal([Expected("+1-555-123-4567"), Expected("4111 1111 1111 1111"), Expected("AB-12x"), "", null, "no digits"],
            await ApplyAsync(Cs, "\"keep_format\"", "text", "+1-555-123-4567", "4111 1111 1111 1111", "AB-12x", "", null, "no digits"));
        var masked = await ApplyAsync(Cs, "\"keep_format\"", "text", Enumerable.Range(0, 1000).Select(i => $"ID-{i:D4}").ToArray());
        Assert.Equal(1000, masked.Distinct().Count()); // one-to-one: a unique column stays unique
        Assert.All(masked, m => Assert.Matches("^ID-[0-9]{4}$", m));
    }

    [Fact]
    public async Task Deterministic_strategies_give_the_same_output_on_every_run()
    {
        foreach (var rule in new[] { "\"hash\"", "\"keyed_hash\"", "\"fake_name\"", "\"fake_email\"", "\"keep_format\"" })
            Assert.Equal(await ApplyAsync(Cs, rule, "text", "alice@example.com", "+44 20 7946 0958"),
                await ApplyAsync(fx.Servers.TargetAdmin, rule, "text", "alice@example.com", "+44 20 7946 0958"));
        Assert.Equal(await ApplyAsync(Cs, """{"type": "date_shift", "days": 30}""", "date", "1980-06-01"),
            await ApplyAsync(fx.Servers.TargetAdmin, """{"type": "date_shift", "days": 30}""", "date", "1980-06-01"));
    }

    [Fact]
    public async Task Results_are_cast_back_to_citext_varchar_and_domain_columns()
    {
        var db = await fx.Servers.CreateDatabasesAsync("mtypes");
        await PgClone.Tests.Fixtures.PgServers.ExecAsync(db.Source, "CREATE EXTENSION citext; CREATE DOMAIN code_t AS text CHECK (VALUE <> '')");
        Assert.Equal(["A***@Example.com"], await ApplyAsync(db.Source, "\"email\"", "public.citext", "Alice@Example.com"));
        Assert.Equal([Hex(Secret.Hmac("alice"))[..20]], await ApplyAsync(db.Source, "\"keyed_hash\"", "character varying(20)", "alice"));
        Assert.Equal(["XX"], await ApplyAsync(db.Source, "\"name\"", "character(2)", "Al"));
        // Under the clone's search_path = pg_catalog, format_type() names extension and user types with their schema.
        // A domain's base type decides when the caller read pg_type.typcategory (the catalog query does).
        var domain = MaskExpressions.For(Rule("\"email\""), Column("public.code_t") with { TypeCategory = 'S' }, Secret.InlineSql());
        Assert.Equal("a***@x.org", await PgClone.Tests.Fixtures.PgServers.ScalarAsync<string>(db.Source, $"SELECT ({domain})::text FROM (SELECT 'ann@x.org'::code_t AS value) AS t"));
        Assert.Equal("mask strategy \"email\" needs a text column, but the column is public.code_t", MaskExpressions.Problem(Rule("\"email\""), Column("public.code_t")));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
