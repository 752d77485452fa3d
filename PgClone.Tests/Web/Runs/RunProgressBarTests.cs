using Bunit;
using PgClone.Web.Components.Shared;
using PgClone.Web.Runs;

namespace PgClone.Tests.Web.Runs;

/// <summary>The live bar of a run: exact value, colour, labels and time left for each kind of progress record.</summary>
public sealed class RunProgressBarTests : MudComponentTests
{
    private IRenderedComponent<RunProgressBar> Render(RunProgress progress, bool workers = false) =>
        Render<RunProgressBar>(p => p.Add(b => b.Progress, progress).Add(b => b.ShowWorkers, workers));

    /// <summary>The bar's value ("" while it moves without one) and its MudBlazor colour class.</summary>
    private static (string Value, string Colour) Bar(IRenderedComponent<RunProgressBar> cut)
    {
        var colour = cut.Find(".pgclone-run-progress .mud-progress-linear").ClassList.Single(c => c.StartsWith("mud-progress-linear-color-", StringComparison.Ordinal));
        return (cut.Find(".pgclone-run-progress").GetAttribute("data-value")!, colour["mud-progress-linear-color-".Length..]);
    }

    private static string Text(IRenderedComponent<RunProgressBar> cut, string css) => cut.Find(css).TextContent.Trim();

    [Fact]
    public void Copying_data_shows_the_byte_fraction_rows_rate_and_time_left()
    {
        var cut = Render(new RunProgress
        {
            RunId = 7, Status = RunStatus.Running, Phase = "copying data", TablesTotal = 8, TablesCompleted = 3,
            Rows = 1_234_567, Bytes = 150L << 20, BytesEstimated = 400L << 20, BytesPerSecond = 25L << 20, SecondsLeft = 125.4,
            Workers = [new RunWorker(1, "\"shop\".\"orders\"", 5000), new RunWorker(2, null, 0)],
        }, workers: true);

        Assert.Equal(("37.5", "primary"), Bar(cut));
        Assert.Equal("Copying data", Text(cut, ".pgclone-run-phase"));
        Assert.Equal("37%", Text(cut, ".pgclone-run-percent"));
        Assert.Equal("3 of 8 tables · 1,234,567 rows · 150 MB of 400 MB · 25 MB/s · about 2m 05s left", Text(cut, ".pgclone-run-stats"));
        var worker = Assert.Single(cut.FindAll(".pgclone-run-worker"));
        Assert.Equal("Worker 1", worker.QuerySelector(".pgclone-worker-label")!.TextContent.Trim());
        Assert.Equal("\"shop\".\"orders\" · 5,000 rows", worker.QuerySelector(".pgclone-worker-table")!.TextContent.Trim());
    }

    [Fact]
    public void Small_tables_count_by_tables_done_when_their_bytes_say_less()
    {
        // 23 tables of one 8 kB page each hold a few hundred bytes of rows: 10 done read as 1 % by bytes.
        var cut = Render(new RunProgress
        {
            RunId = 9, Status = RunStatus.Running, Phase = "copying data", TablesTotal = 23, TablesCompleted = 10, Rows = 40,
            Bytes = 3L << 10, BytesEstimated = 184L << 10,
        });

        Assert.Equal("43%", Text(cut, ".pgclone-run-percent"));
    }

    [Fact]
    public void A_run_about_to_finish_says_less_than_a_second_left_rather_than_0s()
    {
        var cut = Render(new RunProgress
        {
            RunId = 8, Status = RunStatus.Running, Phase = "copying data", TablesTotal = 4, Rows = 1_500, Bytes = 140L << 10,
            BytesEstimated = 504L << 10, BytesPerSecond = 1900L << 10, SecondsLeft = 0.2,
        });

        Assert.Equal("0 of 4 tables · 1,500 rows · 140 kB of 504 kB · 1.9 MB/s · less than a second left", Text(cut, ".pgclone-run-stats"));
    }

    [Fact]
    public void Before_a_rate_is_known_the_time_left_is_being_estimated()
    {
        var cut = Render(new RunProgress { RunId = 1, Status = RunStatus.Running, Phase = "copying data", BytesEstimated = 2048, TablesTotal = 1 });

        Assert.Equal(("0", "primary"), Bar(cut));
        Assert.Equal("0 of 1 table · 0 rows · 0 bytes of 2.0 kB · estimating time left…", Text(cut, ".pgclone-run-stats"));
    }

    [Fact]
    public void A_ddl_phase_counts_its_steps()
    {
        var cut = Render(new RunProgress { RunId = 1, Status = RunStatus.Running, Phase = "indexes", StepsTotal = 4, StepsCompleted = 1, ElapsedSeconds = 61, Rows = 10, Bytes = 10 });

        Assert.Equal(("25", "primary"), Bar(cut));
        Assert.Equal("Indexes (1 of 4)", Text(cut, ".pgclone-run-phase"));
        // No percent of the phase beside the run's data counts: it read as the run starting over at 0 %.
        Assert.Equal("", Text(cut, ".pgclone-run-percent"));
        Assert.Equal("10 rows · 10 bytes · 1m 01s so far", Text(cut, ".pgclone-run-stats"));
    }

    [Fact]
    public void A_queued_run_moves_without_a_value_and_says_why_it_waits()
    {
        var cut = Render(new RunProgress { RunId = 1, Status = RunStatus.Queued, QueueReason = "2 runs already use this instance's slots" });

        Assert.Equal(("", "info"), Bar(cut));
        Assert.Single(cut.FindAll(".mud-progress-indeterminate"));
        Assert.Equal("Queued: 2 runs already use this instance's slots", Text(cut, ".pgclone-run-phase"));
        Assert.Equal("", Text(cut, ".pgclone-run-percent"));
        Assert.Equal("0 rows · 0 bytes · waiting for a slot", Text(cut, ".pgclone-run-stats"));
    }

    [Fact]
    public void A_finished_run_is_full_and_green_with_its_duration()
    {
        var cut = Render(new RunProgress
        {
            RunId = 1, Status = RunStatus.Succeeded, Phase = "verifying", TablesTotal = 3, TablesCompleted = 3,
            Rows = 3000, Bytes = 3L << 30, BytesEstimated = 2L << 30, BytesPerSecond = 100L << 20, ElapsedSeconds = 3725,
        });

        Assert.Equal(("100", "success"), Bar(cut));
        Assert.Equal("Succeeded", Text(cut, ".pgclone-run-phase"));
        Assert.Equal("100%", Text(cut, ".pgclone-run-percent"));
        Assert.Equal("3 of 3 tables · 3,000 rows · 3.0 GB · 100 MB/s · done in 1h 02m", Text(cut, ".pgclone-run-stats"));
    }

    [Fact]
    public void A_failed_run_names_its_phase_and_failed_tables()
    {
        var cut = Render(new RunProgress
        {
            RunId = 1, Status = RunStatus.Failed, Phase = "copying data", TablesTotal = 4, TablesCompleted = 2, TablesFailed = 1,
            Rows = 20, Bytes = 512, BytesEstimated = 1024, ElapsedSeconds = 9,
        });

        Assert.Equal(("50", "error"), Bar(cut));
        Assert.Equal("Failed while copying data", Text(cut, ".pgclone-run-phase"));
        Assert.Equal("50%", Text(cut, ".pgclone-run-percent"));
        Assert.Equal("2 of 4 tables (1 failed) · 20 rows · 512 bytes · stopped after 9s", Text(cut, ".pgclone-run-stats"));
    }
}
