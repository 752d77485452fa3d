using PgClone.Core;
using PgClone.Core.Catalog;
using PgClone.Core.Ddl;
using PgClone.Core.Jobs;
using PgClone.Tests.Fixtures;
using static PgClone.Tests.Core.Jobs.HandPlans;

namespace PgClone.Tests.Core.Jobs;

/// <summary>Indexes and constraints overlap the load: each starts once the tables it needs are in, not after all data.</summary>
public sealed class OverlapTests(PgServersFixture fx) : IClassFixture<PgServersFixture>
{
    [Fact]
    public async Task A_loaded_tables_index_is_built_while_a_slow_table_still_copies_and_a_foreign_key_waits_for_its_referenced_key()
    {
        var db = await fx.Servers.CreateDatabasesAsync("overlap");
        await PgServers.ExecAsync(db.Source, """
            CREATE TABLE big(id int); INSERT INTO big SELECT generate_series(1, 2000);
            CREATE TABLE small(id int, big_id int); INSERT INTO small SELECT g, g FROM generate_series(1, 50) g;
            """);
        // The target logs, with the time, each index and ALTER TABLE (event trigger) and the end of big's COPY (statement trigger).
        var plan = new ClonePlan
        {
            PreData =
            [
                Create("big", "id int"), Create("small", "id int, big_id int"),
                new DdlStatement("table", "\"public\".\"log\"", "CREATE TABLE public.log (seq serial, what text)"),
                new DdlStatement("function", "log_ddl", "CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.log(what) SELECT command_tag || ' ' || object_identity FROM pg_event_trigger_ddl_commands(); END$$"),
                new DdlStatement("event trigger", "log_ddl", "CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE INDEX', 'ALTER TABLE') EXECUTE FUNCTION public.log_ddl()"),
                new DdlStatement("function", "log_big", "CREATE FUNCTION public.log_big() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO public.log(what) VALUES ('big loaded'); RETURN NULL; END$$"),
                new DdlStatement("trigger", "big_loaded", "CREATE TRIGGER big_loaded AFTER INSERT ON public.big FOR EACH STATEMENT EXECUTE FUNCTION public.log_big()"),
            ],
            // big reads slowly (about 4 s); small is tiny.
            Tables = [Table("big", ["id"], 1 << 20, expressions: ["\"id\" + length(pg_sleep(0.002)::text)"]), Table("small", ["id", "big_id"])],
            Indexes =
            [
                new DdlStatement("index", "small_id", "CREATE INDEX small_id ON public.small (id)") { Table = new QualifiedName("public", "small") },
                new DdlStatement("constraint", "big_pkey", "ALTER TABLE public.big ADD CONSTRAINT big_pkey PRIMARY KEY (id)") { Table = new QualifiedName("public", "big") },
            ],
            Constraints =
            [
                new DdlStatement("constraint", "small_fk", "ALTER TABLE ONLY public.small ADD CONSTRAINT small_fk FOREIGN KEY (big_id) REFERENCES public.big (id)")
                    { Table = new QualifiedName("public", "small"), References = new QualifiedName("public", "big") },
            ],
        };
        var result = await new CloneEngine().RunAsync(Request(db, new CloneOptions { Parallel = 2 }), new CloneRunOptions { Planner = Fixed(plan) });

        Assert.Equal([2000L, 50], result.Tables.Select(t => t.Rows));
        var log = (await PgServers.RowsAsync(db.Target, "SELECT what FROM public.log ORDER BY seq")).Select(r => (string)r[0]!).ToList();
        // small's index before big is in; the foreign key after big's key, which it references.
        Assert.Equal(["CREATE INDEX public.small_id", "big loaded", "ALTER TABLE public.big", "ALTER TABLE public.small"], log);
    }
}
