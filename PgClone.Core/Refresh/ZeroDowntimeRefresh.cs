using PgClone.Core.Connections;
using PgClone.Core.Jobs;
using PgClone.Core.Masking;
using PgClone.Core.Verification;

namespace PgClone.Core.Refresh;

/// <summary>
/// Refreshes a whole database without leaving it half-copied: clone (database-create) into a shadow database,
/// verify the shadow against the source (row counts and checksums, masked columns left out) — the engine has
/// already run the proof of masking on it — then swap by renaming: live → <c>live_prev_&lt;stamp&gt;</c>,
/// shadow → live; previous copies beyond <see cref="RefreshOptions.KeepPrevious"/> are dropped. Anything that
/// fails before the swap drops the shadow and leaves the live database untouched.
/// </summary>
public sealed class ZeroDowntimeRefresh(Func<CloneRequest, IColumnMasker?>? maskerFactory = null, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>The live database a request refreshes: database-create's name, or the target connection's database.</summary>
    public static string LiveDatabase(CloneRequest request) => request.Operation switch
    {
        CloneOperation.DatabaseCreate => CloneJob.TargetDatabaseName(request),
        CloneOperation.Database => request.Target.Database is { Length: > 0 } d ? d : throw PgCloneException.For(request.Target, null, "a refresh needs the target connection's database"),
        _ => throw new PgCloneException($"a zero-downtime refresh clones a whole database (database or database-create), not {request.Operation.Name()}"),
    };

    public async Task<CloneResult> RunAsync(CloneRequest request, RefreshOptions refresh, CloneRunOptions runOptions, CancellationToken ct = default)
    {
        refresh = refresh.Validated();
        var live = LiveDatabase(request);
        if (live == "postgres") throw PgCloneException.For(request.Target, "database \"postgres\"", "is the maintenance database: a refresh cannot swap it");
        var started = _clock.GetUtcNow();
        var shadow = RefreshNames.Shadow(live, started);
        var target = request.Target.WithDatabase("postgres");
        await using var swap = new DatabaseSwap(target, _clock);
        // A shadow left by a refresh that died is of no use: the new one starts from nothing.
        foreach (var stale in (await swap.DatabasesAsync(ct)).Where(d => RefreshNames.IsShadow(live, d)))
            await swap.DropAsync(stale, ct);

        var shadowRequest = request with
        {
            Operation = CloneOperation.DatabaseCreate,
            Target = target,
            Options = request.EffectiveOptions with { TargetName = shadow },
        };
        IColumnMasker? masker = null;
        var engine = new CloneEngine(r => masker = maskerFactory?.Invoke(r));
        CloneResult result;
        try
        {
            result = await engine.RunAsync(shadowRequest, runOptions with { ResumeFrom = null }, ct);
            var notes = new List<string>(result.Notes);
            if (refresh.Verify) notes.Add(await VerifyAsync(request, request.Target.WithDatabase(shadow), masker, ct));
            // The clone's pooled sessions on the shadow would block its rename.
            await swap.TerminateAsync(shadow, ct);
            notes.AddRange(await SwapAsync(swap, live, shadow, refresh, ct));
            return result with { Notes = notes };
        }
        catch
        {
            await DropShadowAsync(swap, shadow);
            throw;
        }
    }

    /// <summary>Checksums of every table of the source and the shadow; a mismatch fails the refresh before the swap.</summary>
    private static async Task<string> VerifyAsync(CloneRequest request, ServerEndpoint shadow, IColumnMasker? masker, CancellationToken ct)
    {
        var options = request.EffectiveOptions;
        if (options.Where is not null || options.Subset is not null || options.Columns is not null || !options.IncludeData)
            return "refresh: checksums not compared (the clone copies part of the data by design)";
        var masked = (masker as ColumnMasker)?.Masked.Select(m => $"{m.Column.Table.Schema}.{m.Column.Table.Name}.{m.Column.Column}").Distinct().ToList() ?? [];
        var result = await new TableVerifier().VerifyAsync(request.Source, shadow, new VerifyOptions { Mode = VerifyMode.Checksum, ExcludeColumns = masked }, ct);
        var bad = result.Tables.Where(t => t.Status is not (VerifyStatus.Match or VerifyStatus.Unknown)).ToList();
        if (bad.Count > 0)
            throw PgCloneException.For(shadow, $"database {Sql.Ident(shadow.Database!)}",
                $"verification failed before the swap: {string.Join(", ", bad.Select(t => $"{Sql.Qualified(t.Schema, t.Table)} {t.Status} (source {t.SourceRows?.ToString() ?? "-"}, shadow {t.TargetRows?.ToString() ?? "-"} rows)"))}");
        return $"refresh: {result.Tables.Count} table{(result.Tables.Count == 1 ? "" : "s")} verified by checksum{(masked.Count == 0 ? "" : $" ({masked.Count} masked column{(masked.Count == 1 ? "" : "s")} left out)")}";
    }

    private async Task<List<string>> SwapAsync(DatabaseSwap swap, string live, string shadow, RefreshOptions refresh, CancellationToken ct)
    {
        var notes = new List<string>();
        var exists = await swap.ExistsAsync(live, ct);
        var previous = RefreshNames.Previous(live, _clock.GetUtcNow());
        if (exists)
        {
            await swap.RenameAsync(live, previous, refresh.Sessions, refresh.SwapTimeout, ct);
            try
            {
                await swap.RenameAsync(shadow, live, SwapSessions.Terminate, refresh.SwapTimeout, ct);
            }
            catch
            {
                // Put the live database back under its name: the refresh failed, the target must not.
                await swap.RenameAsync(previous, live, SwapSessions.Terminate, refresh.SwapTimeout, CancellationToken.None);
                throw;
            }
            notes.Add($"refresh: swapped {Sql.Ident(shadow)} in as {Sql.Ident(live)}; the previous copy is {Sql.Ident(previous)}");
        }
        else
        {
            await swap.RenameAsync(shadow, live, SwapSessions.Terminate, refresh.SwapTimeout, ct);
            notes.Add($"refresh: {Sql.Ident(live)} did not exist; the shadow {Sql.Ident(shadow)} took its name");
        }
        // After the swap the refresh has succeeded: tidying old copies must not undo that.
        var copies = (await swap.DatabasesAsync(ct)).Where(d => RefreshNames.IsPrevious(live, d)).OrderDescending(StringComparer.Ordinal).ToList();
        foreach (var old in copies.Skip(refresh.KeepPrevious))
        {
            try
            {
                await swap.DropAsync(old, ct);
                notes.Add($"refresh: dropped the old copy {Sql.Ident(old)} (keeping {refresh.KeepPrevious})");
            }
            catch (PgCloneException e) { notes.Add($"refresh: could not drop the old copy {Sql.Ident(old)}: {e.Message}"); }
        }
        return notes;
    }

    private static async Task DropShadowAsync(DatabaseSwap swap, string shadow)
    {
        try { await swap.DropAsync(shadow, CancellationToken.None); }
        catch (PgCloneException) { /* the original failure is the one to report; a stale shadow is dropped by the next refresh */ }
    }
}
