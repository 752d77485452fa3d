using System.Globalization;
using System.Text.Json.Serialization;
using PgClone.Core;
using PgClone.Core.Jobs;

namespace PgClone.Cli.Commands;

/// <summary>The --json summary of a clone: per table rows, bytes and seconds, and the totals.</summary>
internal sealed record CloneSummary(
    string? JobId, string Operation, IReadOnlyList<CloneSummary.TableLine> Tables, long Rows, long Bytes, double Seconds,
    IReadOnlyList<string> Skipped, IReadOnlyList<string> Notes, IReadOnlyDictionary<string, double> PhaseSeconds)
{
    /// <param name="Reached">With a subset: how the table was reached (root, child of ..., parent of ..., outside ...).</param>
    public sealed record TableLine(string Table, long Rows, long Bytes, double Seconds, string? CopiedByJob,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reached = null);

    public static CloneSummary From(CloneResult r) => new(
        r.JobId, r.Operation.Name(),
        [.. r.Tables.Select(t => new TableLine(t.Table.ToString(), t.Rows, t.Bytes, Math.Round(t.Elapsed.TotalSeconds, 3), t.CopiedByJob, Reached(r, t)))],
        r.Rows, r.Bytes, Math.Round(r.Elapsed.TotalSeconds, 3), r.Skipped, r.Notes,
        r.Phases.ToDictionary(p => JobProgress.PhaseName(p.Phase), p => Math.Round(p.Elapsed.TotalSeconds, 3)));

    /// <summary>The --json output of a run that failed or was cancelled: how far it got, and why it stopped.</summary>
    public sealed record Stopped(
        string? JobId, string Operation, string Status, string Error, string Phase,
        int TablesTotal, int TablesCompleted, long Rows, long Bytes, double Seconds);

    public static Stopped Partial(CloneOperation operation, JobProgress? p, string error) => new(
        p?.JobId, operation.Name(), error == "cancelled" ? "cancelled" : "failed", error, JobProgress.PhaseName(p?.Phase ?? JobPhase.Planning),
        p?.TablesTotal ?? 0, p?.TablesCompleted ?? 0, p?.RowsCopied ?? 0, p?.BytesCopied ?? 0, Math.Round(p?.Elapsed.TotalSeconds ?? 0, 3));
    /// <summary>
    /// What a run that stopped once its schema was in leaves behind, and how to go on: its schema phase commits before
    /// any data, so the objects it created stay on the target (a rerun then meets them as conflicts). Null when it
    /// stopped before (nothing was written).
    /// </summary>
    public static string? LeftOnTarget(JobProgress? p, JsonFileCheckpointStore? checkpoint, bool cancelled)
    {
        if (p is null || p.Phase < JobPhase.CopyingData || p.Phase == JobPhase.Verifying) return null;
        var copied = string.Create(CultureInfo.InvariantCulture, $"{p.TablesCompleted} of {Words.Count(p.TablesTotal, "table")} copied");
        var next = checkpoint is null
            ? "run it again with --options '{\"conflict\":\"replace\"}' to start over, or with --checkpoint FILE to be able to resume a run that stops"
            : $"{(cancelled ? "" : "once the cause is fixed, ")}finish it with: pgclone resume --checkpoint {ShellWord(checkpoint.Path)}";
        return $"the objects this run created stay on the target ({copied}); {next}";
    }

    private static string ShellWord(string s) => s.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:@".Contains(c)) ? s : $"'{s.Replace("'", "'\\''")}'";

    private static string? Reached(CloneResult r, TableResult t) => r.Subset?.Tables.FirstOrDefault(s => s.Table == t.Table)?.Describe();

    public static void WriteText(CloneResult r, TextWriter w)
    {
        foreach (var t in r.Tables)
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {t.Table,-50} {t.Rows,12:N0} rows {ProgressDisplay.Size(t.Bytes),10} {t.Elapsed.TotalSeconds,8:F2} s") +
                (Reached(r, t) is { } reached ? $"  ({reached})" : ""));
        foreach (var s in r.Skipped) w.WriteLine($"  skipped: {s}");
        foreach (var n in r.Notes) w.WriteLine($"  note: {n}");
        w.WriteLine("  phases: " + string.Join(", ", r.Phases.Select(p =>
            string.Create(CultureInfo.InvariantCulture, $"{JobProgress.PhaseName(p.Phase)} {p.Elapsed.TotalSeconds:F2} s"))));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pgclone: done: {Words.Count(r.Tables.Count, "table")}, {Words.Count(r.Rows, "row")}, {ProgressDisplay.Size(r.Bytes)} in {r.Elapsed.TotalSeconds:F1} s"));
    }
}
