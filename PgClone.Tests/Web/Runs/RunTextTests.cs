using PgClone.Core;
using PgClone.Web.Components.Shared;
using PgClone.Web.Runs;

namespace PgClone.Tests.Web.Runs;

/// <summary>How a run reads on its pages: what it clones, when it ran, and only the options that differ from the defaults.</summary>
public sealed class RunTextTests
{
    [Fact]
    public void Defaults_change_nothing()
    {
        Assert.Empty(RunText.ChangedOptions(new CloneOptions()));
        Assert.Empty(RunText.ChangedOptions(CloneOptions.Parse("""{"mask": {"s.t": {"email": "email"}}}""")));
    }

    [Fact]
    public void Changed_options_read_as_name_and_value_in_their_order()
    {
        var options = CloneOptions.Parse("""
            {"indexes": false, "where": "name <> 'x' AND id > 10", "conflict": "replace", "parallel": 4,
             "skip_unsupported": true, "subset": {"root": "s.t", "percent": 10}}
            """);

        Assert.Equal<(string, string)>(
            [
                ("indexes", "false"),
                ("where", "name <> 'x' AND id > 10"),
                ("conflict", "replace"),
                ("parallel", "4"),
                ("skip unsupported", "true"),
                ("subset", """{"root":"s.t","percent":10,"outside":"full"}"""),
            ],
            RunText.ChangedOptions(options));
    }

    private static RunSummary Summary(string operation, DateTimeOffset? started, DateTimeOffset? finished, string? targetKey) => new(
        7, RunStatus.Queued, null, null, operation, null, null, "prod", null, "staging", null, "user", "ann@example.com", null,
        DateTimeOffset.Parse("2026-12-04T10:00:00Z"), started, finished, 0, 0, 0, 0, 0, 0, null, null, null, false, targetKey);

    [Fact]
    public void A_new_database_run_names_the_database_it_makes()
    {
        // The key is host:port/database, and a database name may hold a slash.
        Assert.Equal("new database staging/eu 2", RunText.What(Summary("database-create", null, null, "db.example.com:5432/staging/eu 2")));
        Assert.Equal("new database", RunText.What(Summary("database-create", null, null, null)));
        Assert.Equal("database", RunText.What(Summary("database", null, null, "[::1]:5433/app")));
        Assert.Equal("app", Summary("database", null, null, "[::1]:5433/app").TargetDatabase);
        Assert.Null(Summary("roles", null, null, "db.example.com:5432").TargetDatabase);
        Assert.Equal("new database copy", RunText.What("database-create", null, null, "copy"));
    }

    [Fact]
    public void When_a_run_ran_reads_in_words_before_it_started()
    {
        var start = DateTimeOffset.Parse("2026-12-04T10:01:00Z");
        Assert.Equal("not started yet", RunText.Ran(Summary("schema", null, null, null), finished: false));
        Assert.Equal("never started", RunText.Ran(Summary("schema", null, DateTimeOffset.Parse("2026-12-04T10:02:00Z"), null), finished: true));
        Assert.Equal("2026-12-04 10:01 UTC – now", RunText.Ran(Summary("schema", start, null, null), finished: false));
        Assert.Equal("2026-12-04 10:01 UTC – 2026-12-04 10:05 UTC", RunText.Ran(Summary("schema", start, start.AddMinutes(4), null), finished: true));
    }
}
