using System.Text.Json.Nodes;
using Npgsql;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Masking;

/// <summary>The masking verbs of the pgclone command line, run as a process against the test servers.</summary>
public sealed class MaskingCliTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private static Task<(int Code, string Out, string Err)> PgcloneAsync(string home, params string[] args) => PgcloneWithSecretAsync(home, null, args);

    private static async Task<(int Code, string Out, string Err)> PgcloneWithSecretAsync(string home, string? secret, params string[] args)
    {
        var run = await PgCloneCli.RunAsync(new Dictionary<string, string?> { ["HOME"] = home, ["PGCLONE_MASK_SECRET"] = secret }, args);
        return (run.ExitCode, run.Stdout, run.Stderr);
    }

    [Fact]
    public async Task Discover_in_place_and_report_work_from_the_command_line_with_a_created_key_file()
    {
        var db = await fx.Servers.CreateDatabasesAsync("cli");
        await PgServers.ExecAsync(db.Source, DiscoveryTests.PiiFixture);
        await PgServers.ExecAsync(db.Target, "CREATE TABLE people (id int PRIMARY KEY, email text, ssn text); INSERT INTO people VALUES (1, 'alice@example.com', '123-45-6789')");
        var home = Directory.CreateTempSubdirectory("pgclone-home").FullName;
        try
        {
            var discover = await PgcloneAsync(home, "discover", "--source", PgServers.Conninfo(db.Source), "--schema", "public");
            Assert.Equal((0, ""), (discover.Code, discover.Err));
            var mask = JsonNode.Parse(discover.Out)!.AsObject();
            Assert.Equal(["accounts", "logins", "staff"], mask.Select(t => t.Key).Order().ToList());
            Assert.Equal("\"email\"", mask["accounts"]!["contact"]!.ToJsonString());
            Assert.DoesNotContain("@mail", discover.Out);

            var detail = await PgcloneAsync(home, "discover", "--source", PgServers.Conninfo(db.Source), "--schema", "public", "--detail");
            var columns = JsonNode.Parse(detail.Out)!["columns"]!.AsArray();
            Assert.Equal(DiscoveryTests.Expected.Length, columns.Count);
            Assert.Contains(columns, c => (string)c!["column"]! == "ref" && (string)c["category"]! == "credit_card" && (string)c["confidence"]! == "high");

            var inPlace = await PgcloneAsync(home, "mask-in-place", "--target", PgServers.Conninfo(db.Target), "--table", "people", "--rules", """{"email": "email", "ssn": "keyed_hash"}""");
            Assert.Equal((0, "masked 1 row of \"public\".\"people\": email, ssn\n", ""), inPlace);
            var keyFile = Path.Combine(home, ".config", "pgclone", "mask.key");
            Assert.Equal(32, new FileInfo(keyFile).Length);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
            var key = new PgClone.Core.Masking.MaskingSecret(await File.ReadAllBytesAsync(keyFile));
            Assert.Equal([[1, "a***@example.com", Convert.ToHexStringLower(key.Hmac("123-45-6789"))]], await PgServers.RowsAsync(db.Target, "SELECT * FROM people"));

            var report = await PgcloneAsync(home, "masking-report", "--target", PgServers.Conninfo(db.Target), "--schema", "public", "--csv");
            Assert.Equal((0, "schema,table,column,category,status,recommendation\r\npublic,people,email,email,UNMASKED,Apply mask strategy: email\r\n" +
            "public,people,ssn,national_id,UNMASKED,Apply mask strategy: keep_format\r\n", ""), report);

            var json = await PgcloneAsync(home, "masking-report", "--target", PgServers.Conninfo(db.Target), "--schema", "public", "--json");
            var first = JsonNode.Parse(json.Out)!.AsArray()[0]!;
            Assert.Equal("""{"schema":"public","table":"people","column":"email","category":"email","status":"UNMASKED","recommendation":"Apply mask strategy: email"}""", first.ToJsonString());
            var noSchema = await PgcloneAsync(home, "discover", "--source", PgServers.Conninfo(db.Source), "--schema", "nope");
            Assert.Equal((1, "", $"pgclone: source '127.0.0.1:{new NpgsqlConnectionStringBuilder(db.Source).Port}/{db.Name}' (127.0.0.1:{new NpgsqlConnectionStringBuilder(db.Source).Port}): schema \"nope\": does not exist\n"), noSchema);

            var bad = await PgcloneAsync(home, "mask-in-place", "--target", PgServers.Conninfo(db.Target), "--table", "people", "--rules", """{"id": "email"}""");
            var port = new NpgsqlConnectionStringBuilder(db.Target).Port;
            Assert.Equal((1, "", $"pgclone: target '127.0.0.1:{port}/{db.Name}' (127.0.0.1:{port}): column \"public\".\"people\".\"id\": mask strategy \"email\" needs a text column, but the column is integer\n"), bad);
        }
        finally { Directory.Delete(home, recursive: true); }
    }

    [Fact]
    public async Task Clone_verbs_mask_with_the_secret_from_the_environment_and_create_no_key_file()
    {
        var db = await fx.Servers.CreateDatabasesAsync("cliclone");
        await PgServers.ExecAsync(db.Source, "CREATE TABLE people (id int PRIMARY KEY, email text, ssn text); INSERT INTO people VALUES (1, 'alice@example.com', '123-45-6789')");
        var home = Directory.CreateTempSubdirectory("pgclone-home").FullName;
        try
        {
            // Without keyed rules no secret is needed, so no key file appears.
            var plain = await PgcloneAsync(home, "table", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target), "--table", "people",
                "--options", """{"mask": {"email": "email", "ssn": "null"}, "target_name": "people_plain"}""");
            Assert.True(plain.Code == 0, plain.Err);
            Assert.Equal([[1, "a***@example.com", null]], await PgServers.RowsAsync(db.Target, "SELECT * FROM people_plain"));
            Assert.False(Directory.Exists(Path.Combine(home, ".config")));

            const string secret = "a-secret-from-the-environment";
            var clone = await PgcloneWithSecretAsync(home, secret, "table", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target), "--table", "people",
                "--options", """{"mask": {"email": "email", "ssn": "keyed_hash"}}""", "--json");
            Assert.True(clone.Code == 0, clone.Err);
            var expected = Convert.ToHexStringLower(PgClone.Core.Masking.MaskingSecret.FromText(secret).Hmac("123-45-6789"));
            Assert.Equal([[1, "a***@example.com", expected]], await PgServers.RowsAsync(db.Target, "SELECT * FROM people"));
            Assert.False(File.Exists(Path.Combine(home, ".config", "pgclone", "mask.key")));
            Assert.Contains("masking proof: 2 masked columns in 1 table, 1 sampled rows", clone.Out);
        }
        finally { Directory.Delete(home, recursive: true); }
    }

    [Fact]
    public async Task Discovers_output_masks_a_schema_clone_and_a_database_clone_as_printed_whatever_the_names()
    {
        var db = await fx.Servers.CreateDatabasesAsync("clidisc");
        var other = await fx.Servers.CreateDatabasesAsync("clidisc2");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA "crm.eu";
            CREATE TABLE "crm.eu"."contacts.v2" (id int PRIMARY KEY, email text);
            CREATE TABLE public."a.b" (id int PRIMARY KEY, email text);
            CREATE TABLE public.plain (id int PRIMARY KEY, email text);
            INSERT INTO "crm.eu"."contacts.v2" SELECT i, 'c' || i || '@example.org' FROM generate_series(1, 60) i;
            INSERT INTO public."a.b" SELECT i, 'd' || i || '@example.org' FROM generate_series(1, 60) i;
            INSERT INTO public.plain SELECT i, 'p' || i || '@example.org' FROM generate_series(1, 60) i;
            """);
        var home = Directory.CreateTempSubdirectory("pgclone-home").FullName;
        try
        {
            async Task<(JsonObject Rules, string Printed)> DiscoverAsync(string schema)
            {
                var run = await PgcloneAsync(home, "discover", "--source", PgServers.Conninfo(db.Source), "--schema", schema);
                Assert.Equal(0, run.Code);
                return (JsonNode.Parse(run.Out)!.AsObject(), run.Out);
            }
            // A schema other than public is named in the key; names the plain forms would misread are quoted.
            var (crm, printed) = await DiscoverAsync("crm.eu");
            Assert.Equal("""
                {
                  "\"crm.eu\".\"contacts.v2\"": {
                    "email": "email"
                  }
                }

                """, printed);
            var (publicRules, _) = await DiscoverAsync("public");
            Assert.Equal(["\"public\".\"a.b\"", "plain"], publicRules.Select(t => t.Key));

            var schema = await PgcloneAsync(home, "schema", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(db.Target),
                "--schema", "crm.eu", "--options", new JsonObject { ["mask"] = crm.DeepClone() }.ToJsonString());
            Assert.True(schema.Code == 0, schema.Err);
            Assert.Equal([[1, "c***@example.org"], [60, "c***@example.org"]],
                await PgServers.RowsAsync(db.Target, """SELECT id, email FROM "crm.eu"."contacts.v2" WHERE id IN (1, 60) ORDER BY id"""));

            var all = new JsonObject();
            foreach (var (key, rules) in crm.Concat(publicRules)) all[key] = rules!.DeepClone();
            var database = await PgcloneAsync(home, "database", "--source", PgServers.Conninfo(db.Source), "--target", PgServers.Conninfo(other.Target),
                "--options", new JsonObject { ["mask"] = all }.ToJsonString());
            Assert.True(database.Code == 0, database.Err);
            Assert.Equal([["c***@example.org", 60L], ["d***@example.org", 60L], ["p***@example.org", 60L]], await PgServers.RowsAsync(other.Target, """
                SELECT email, count(*) FROM (SELECT email FROM "crm.eu"."contacts.v2" UNION ALL SELECT email FROM public."a.b" UNION ALL SELECT email FROM public.plain) m
                GROUP BY email ORDER BY email
                """));
        }
        finally { Directory.Delete(home, recursive: true); }
    }

    [Theory]
    [InlineData("public", "plain", "plain")]
    [InlineData("public", "a.b", "\"public\".\"a.b\"")]
    [InlineData("public", "\"q", "\"public\".\"\"\"q\"")]
    [InlineData("shop", "a.b", "shop.a.b")]
    [InlineData("Emp loyee", "Ünïcode table", "Emp loyee.Ünïcode table")]
    [InlineData("crm.eu", "t", "\"crm.eu\".\"t\"")]
    [InlineData("\"s", "t", "\"\"\"s\".\"t\"")]
    public void A_mask_key_names_its_table_back(string schema, string table, string key)
    {
        Assert.Equal(key, PgClone.Core.Masking.MaskTableKey.Of(new(schema, table)));
        Assert.Equal(new PgClone.Core.Catalog.QualifiedName(schema, table), PgClone.Core.Masking.MaskTableKey.Resolve(key, "public"));
    }

    [Theory]
    [InlineData("\"unterminated")]
    [InlineData("\"s\".")]
    [InlineData("\"s\".t")]
    [InlineData("\"\"")]
    public void A_malformed_quoted_mask_key_is_refused_with_its_form(string key)
    {
        var error = Assert.Throws<PgClone.Core.PgCloneException>(() => PgClone.Core.Masking.MaskTableKey.Split(key));
        Assert.Equal($"invalid mask key {key}: a quoted key is \"schema\".\"table\" or \"table\", with quotes inside doubled", error.Message);
    }

    [Fact]
    public async Task Clone_verbs_check_mask_rules_before_connecting()
    {
        var r = await PgcloneAsync(Path.GetTempPath(), "table", "--source", "host=127.0.0.1 port=1 dbname=a", "--target", "host=127.0.0.1 port=1 dbname=b", "--table", "t",
            "--options", """{"mask": {"email": "emial"}}""");
        Assert.Equal((1, "", "pgclone: invalid mask rule for column \"email\": unknown mask strategy \"emial\" (known: email, name, phone, partial, hash, null, random_int, constant, keyed_hash, fake_name, fake_email, date_shift, keep_format, keyed_email)\n"), r);
    }
}
