using PgClone.Core;
using PgClone.Core.Connections;
using PgClone.Core.Verification;
using PgClone.Tests.Fixtures;

namespace PgClone.Tests.Core.Ddl;

/// <summary>A schema clone under another name (target_name): every reference into the schema follows it.</summary>
public sealed class SchemaRenameTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    private const string From = "My Schema", To = "New \"Sch";

    private static async Task<List<string>> ColumnAsync(string cs, string sql) =>
        (await PgServers.RowsAsync(cs, sql)).Select(r => Convert.ToString(r[0], System.Globalization.CultureInfo.InvariantCulture)!).ToList();

    /// <summary>
    /// The source schema's dump with its name spelled as the new one (quoted, as a literal, and in pg_dump's headers),
    /// except in the view "aliased", whose table alias is spelled like the schema but names no schema.
    /// </summary>
    private static string Renamed(string dump) => dump.Replace(Sql.Ident(From), Sql.Ident(To), StringComparison.Ordinal)
        .Replace(Sql.Literal(From), Sql.Literal(To), StringComparison.Ordinal).Replace(From, To, StringComparison.Ordinal)
        .Replace("\"New \"\"Sch\".id,", "\"My Schema\".id,", StringComparison.Ordinal)
        .Replace("\"New \"\"Sch\".code\n", "\"My Schema\".code\n", StringComparison.Ordinal)
        .Replace("parent \"New \"\"Sch\";", "parent \"My Schema\";", StringComparison.Ordinal);

    /// <summary>Checksums of the new schema keyed by the source schema's names.</summary>
    private static SortedDictionary<string, string> Back(SortedDictionary<string, string> sums) =>
        new(sums.ToDictionary(kv => kv.Key.Replace(Sql.Ident(To), Sql.Ident(From), StringComparison.Ordinal), kv => kv.Value), StringComparer.Ordinal);

    [Fact]
    public async Task A_schema_cloned_under_a_new_name_points_every_reference_at_the_new_schema()
    {
        var db = await fx.Servers.CreateDatabasesAsync("rename");
        await CloneKit.LoadAsync(db.Source, "rename.sql");
        await PgServers.ExecAsync(db.Target, "CREATE SCHEMA other; CREATE TABLE other.ref (id int PRIMARY KEY); INSERT INTO other.ref VALUES (1), (2)");

        await CloneKit.CloneAsync(db, CloneOperation.Schema, From, options: new CloneOptions { TargetName = To });

        Assert.Equal([To, "other", "public"], await ColumnAsync(db.Target, "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1"));
        CloneKit.SameDump(Renamed(await CloneKit.DumpAsync(db.Source, "-n", Sql.Ident(From))), await CloneKit.DumpAsync(db.Target, "-n", Sql.Ident(To)));
        Assert.Equal(["nextval('\"New \"\"Sch\".parent_id_seq'::regclass)", "'ok'::\"New \"\"Sch\".mood", "nextval('\"New \"\"Sch\".\"odd seq\"'::regclass)"],
            await ColumnAsync(db.Target, "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = '\"New \"\"Sch\".parent'::regclass ORDER BY adnum"));
        Assert.Equal(["child_parent_id_fkey|FOREIGN KEY (parent_id) REFERENCES \"New \"\"Sch\".parent(id)", "parent_ref_fkey|FOREIGN KEY (ref) REFERENCES other.ref(id)"],
            await ColumnAsync(db.Target, "SELECT conname || '|' || pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' ORDER BY 1"));
        Assert.Equal(["{\"search_path=\\\"New \\\"\\\"Sch\\\", public\"}"],
            await ColumnAsync(db.Target, "SELECT proconfig::text FROM pg_proc WHERE proname = 'all_kids'"));
        Assert.Equal(await CloneKit.ChecksumsAsync(db.Source, From), Back(await CloneKit.ChecksumsAsync(db.Target, To)));

        // It behaves as the original: the trigger, the defaults' sequences, the functions and the views use the new schema's objects.
        await PgServers.ExecAsync(db.Target, "INSERT INTO \"New \"\"Sch\".parent (ref) VALUES (2); INSERT INTO \"New \"\"Sch\".child VALUES (4, 4, '{ok}')");
        Assert.Equal(["1|2|2|1|ok", "2|4|0|2|ok", "3|6|1|1|ok", "4|8|1|2|ok"],
            await ColumnAsync(db.Target, "SELECT concat_ws('|', id, twice, kids, ref, m) FROM \"New \"\"Sch\".v ORDER BY id"));
        Assert.Equal(["1|100", "2|101", "3|102", "4|103"], await ColumnAsync(db.Target, "SELECT id || '|' || code FROM \"New \"\"Sch\".aliased ORDER BY id"));
        Assert.Equal(["1"], await ColumnAsync(db.Target, "SELECT n FROM \"New \"\"Sch\".parent WHERE id = 4"));
        Assert.Equal(["4"], await ColumnAsync(db.Target, "SELECT \"New \"\"Sch\".all_kids()"));

        // diff compares the schema with its copy under the new name: in sync, until an object goes missing.
        var (source, target) = (ServerEndpoint.Parse(ServerRole.Source, db.Source), ServerEndpoint.Parse(ServerRole.Target, db.Target));
        var diff = await new SchemaDiffer().DiffAsync(source, target, From, To);
        Assert.True(diff.InSync, diff.ToJsonText());
        await PgServers.ExecAsync(db.Target, "DROP VIEW \"New \"\"Sch\".aliased; ALTER TABLE \"New \"\"Sch\".child ALTER COLUMN parent_id SET DEFAULT 1");
        diff = await new SchemaDiffer().DiffAsync(source, target, From, To);
        Assert.Equal(2, diff.DiffCount);
        Assert.Equal(["aliased"], diff.Categories.Single(c => c.Category == "views").OnlyInSource);
        Assert.Equal(["child"], diff.Categories.Single(c => c.Category == "tables").Modified.Select(m => m.Name));
    }

    /// <summary>
    /// A routine's body written as a string is code, left as written under target_name: the run says which bodies name
    /// the source schema (as code or inside a literal, as a text search configuration's name is), since on the
    /// target they still mean it. One whose body does not name it is not mentioned.
    /// </summary>
    [Fact]
    public async Task The_run_names_the_routines_whose_bodies_name_the_source_schema_left_as_written()
    {
        var db = await fx.Servers.CreateDatabasesAsync("renbody");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TEXT SEARCH CONFIGURATION s.cfg (COPY = english);
            CREATE TABLE s.t (x text, v tsvector);
            CREATE FUNCTION s.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.v := to_tsvector('s.cfg', NEW.x); RETURN NEW; END $$;
            CREATE FUNCTION s.g() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM s.t';
            CREATE FUNCTION s.h() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
            CREATE FUNCTION s.k() RETURNS bigint LANGUAGE sql RETURN (SELECT count(*) FROM s.t);
            CREATE TRIGGER tr BEFORE INSERT ON s.t FOR EACH ROW EXECUTE FUNCTION s.f();
            """);

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { TargetName = "s2" });

        Assert.Equal(["function \"s2\".\"f\"(): its body names schema \"s\", and was left as written (a body is code, not names): on the target it still means \"s\", not \"s2\"",
                      "function \"s2\".\"g\"(): its body names schema \"s\", and was left as written (a body is code, not names): on the target it still means \"s\", not \"s2\""],
            result.Notes.Where(n => n.Contains("its body")));
    }

    /// <summary>
    /// An extension created in the cloned schema is the database's, not the schema's: its type and operator class keep
    /// their schema in the copy's definitions, whether the target has the extension already or the clone creates it
    /// (where the source has it, as pg_dump would). Before, both were renamed into the new schema and the run failed
    /// on its first table after creating the others.
    /// </summary>
    [Fact]
    public async Task Objects_of_extensions_in_the_cloned_schema_keep_their_schema_in_a_copy_under_a_new_name()
    {
        const string schema = """
            CREATE EXTENSION citext WITH SCHEMA public; CREATE EXTENSION pg_trgm WITH SCHEMA public;
            CREATE TABLE public.a (id int PRIMARY KEY);
            CREATE TABLE public.u (id int PRIMARY KEY, email public.citext UNIQUE, name text);
            CREATE INDEX u_name_trgm ON public.u USING gin (name public.gin_trgm_ops);
            INSERT INTO public.a VALUES (1); INSERT INTO public.u VALUES (1, 'X@y.org', 'Ann');
            """;
        foreach (var targetHasThem in new[] { true, false })
        {
            var db = await fx.Servers.CreateDatabasesAsync(targetHasThem ? "renext" : "renextnew");
            await PgServers.ExecAsync(db.Source, schema);
            if (targetHasThem) await PgServers.ExecAsync(db.Target, "CREATE EXTENSION citext WITH SCHEMA public; CREATE EXTENSION pg_trgm WITH SCHEMA public");

            await CloneKit.CloneAsync(db, CloneOperation.Schema, "public", options: new CloneOptions { TargetName = "copy" });

            Assert.Equal(["citext public", "pg_trgm public", "plpgsql pg_catalog"],
                await ColumnAsync(db.Target, "SELECT extname || ' ' || extnamespace::regnamespace FROM pg_extension ORDER BY 1"));
            // Printed unqualified: in public, on the search path (one in schema copy would print as copy.citext).
            Assert.Equal(["citext"], await ColumnAsync(db.Target, "SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = 'copy.u'::regclass AND attname = 'email'"));
            Assert.Equal(["CREATE INDEX u_name_trgm ON copy.u USING gin (name gin_trgm_ops)"],
                await ColumnAsync(db.Target, "SELECT pg_get_indexdef('copy.u_name_trgm'::regclass)"));
            Assert.Equal(["1|X@y.org|Ann"], await ColumnAsync(db.Target, "SELECT concat_ws('|', id, email, name) FROM copy.u WHERE email = 'x@Y.ORG'"));
        }
    }

    [Fact]
    public async Task A_schema_cloned_under_a_new_name_into_its_own_database_sits_beside_the_original()
    {
        var db = await fx.Servers.CreateDatabasesAsync("renameself");
        await CloneKit.LoadAsync(db.Source, "rename.sql");
        var before = await CloneKit.DumpAsync(db.Source, "-n", Sql.Ident(From));
        var sums = await CloneKit.ChecksumsAsync(db.Source, From);
        var self = db with { Target = db.Source };

        await CloneKit.CloneAsync(self, CloneOperation.Schema, From, options: new CloneOptions { TargetName = To });

        CloneKit.SameDump(before, await CloneKit.DumpAsync(db.Source, "-n", Sql.Ident(From)));
        CloneKit.SameDump(Renamed(before), await CloneKit.DumpAsync(db.Source, "-n", Sql.Ident(To)));
        Assert.Equal(sums, await CloneKit.ChecksumsAsync(db.Source, From));
        Assert.Equal(sums, Back(await CloneKit.ChecksumsAsync(db.Source, To)));
    }

    /// <summary>
    /// reg* values are copied as the names they print: one naming an object of the schema cloned under another name
    /// would name the source schema on the target, where the COPY failed with the first tables already in. Refused
    /// before anything is written, naming each column and value; skip_unsupported leaves the table out.
    /// </summary>
    [Fact]
    public async Task Values_naming_objects_of_the_renamed_schema_are_refused_before_anything_is_written()
    {
        var db = await fx.Servers.CreateDatabasesAsync("rename_reg");
        await PgServers.ExecAsync(db.Source, """
            CREATE SCHEMA s;
            CREATE TABLE s.a (id int PRIMARY KEY);
            CREATE TYPE s.e AS ENUM ('x');
            CREATE FUNCTION s.f(int) RETURNS int LANGUAGE sql RETURN 1;
            CREATE TABLE s.refs (id int PRIMARY KEY, c regclass, p regproc, t regtype);
            INSERT INTO s.refs VALUES (1, 's.a', 's.f', 's.e'), (2, 'pg_class', 'now', 'int4');
            CREATE TABLE s.builtins (r regclass); INSERT INTO s.builtins VALUES ('pg_class');
            """);
        var source = ServerEndpoint.Parse(ServerRole.Source, db.Source).Describe();
        const string renamed = "name objects of the schema the clone creates as \"s2\", but copied as text they would still name \"s\" on the target";
        var refs = $"table \"s\".\"refs\": values of its column \"c\" ('s.a') {renamed}; values of its column \"p\" ('s.f(integer)') {renamed}; " +
                   $"values of its column \"t\" ('s.e') {renamed}";

        var refused = await Assert.ThrowsAsync<PgCloneException>(() => CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { TargetName = "s2" }));

        Assert.Equal($"{source}: cannot clone {refs} (nothing was written; clone the schema under its own name, or change those values first, " +
                     "or set \"skip_unsupported\": true to clone without them)", refused.Message);
        Assert.Equal(0L, await PgServers.ScalarAsync<long>(db.Target, "SELECT count(*) FROM pg_namespace WHERE nspname = 's2'"));

        var result = await CloneKit.CloneAsync(db, CloneOperation.Schema, "s", options: new CloneOptions { TargetName = "s2", SkipUnsupported = true });
        Assert.Equal([refs.Replace("\"s\".\"refs\"", "\"s2\".\"refs\"", StringComparison.Ordinal)], result.Skipped);
        Assert.Equal(["a", "builtins"], await ColumnAsync(db.Target, "SELECT relname FROM pg_class WHERE relnamespace = 's2'::regnamespace AND relkind = 'r' ORDER BY 1"));
        Assert.Equal(["pg_class"], await ColumnAsync(db.Target, "SELECT r::text FROM s2.builtins"));
    }
}
