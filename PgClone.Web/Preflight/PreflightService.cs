using System.Security.Claims;
using PgClone.Core.Masking;
using PgClone.Core.Preflight;
using PgClone.Web.Runs;

namespace PgClone.Web.Preflight;

/// <summary>The throughput earlier runs measured, which the preflight's duration estimate rests on.</summary>
public sealed record MeasuredThroughput(double BytesPerSecond, int Runs, bool SameSource);

/// <summary>
/// The engine's preflight (<see cref="PreflightRunner"/>) for a run request, as the wizard's summary and
/// <c>POST /api/v1/preflight</c> show it: the same request, rights and mask rules (a masking policy's too) a run would have, the duration
/// estimated from the throughput of earlier runs. Changes nothing on either server.
/// </summary>
public sealed class PreflightService(RunAdmission admission, ConsoleMaskingSecret secret, RunsService runs, PgClone.Web.Masking.MaskPoliciesService policies)
{
    public async Task<PreflightReport> RunAsync(RunRequest request, ClaimsPrincipal user, CancellationToken ct)
    {
        var clone = await admission.PreflightRequestAsync(await policies.ApplyAsync(request, ct), user, ct);
        var measured = await ThroughputAsync(request.SourceConnectionId, ct);
        var options = new PreflightOptions { ThroughputBytesPerSecond = measured?.BytesPerSecond ?? PreflightOptions.DefaultThroughput };
        return await PreflightRunner.RunAsync(clone, MaskingFactory.Create(clone, secret.Get), options, ct);
    }

    /// <summary>
    /// The median throughput of the last successful runs from this source (or from any source when this one has
    /// none) that copied enough data for it to tell (<see cref="MeasurableBytes"/>); null when none did.
    /// </summary>
    public async Task<MeasuredThroughput?> ThroughputAsync(int sourceId, CancellationToken ct)
    {
        foreach (var filter in new[] { new RunFilter(RunStatus.Succeeded, ConnectionId: sourceId), new RunFilter(RunStatus.Succeeded) })
        {
            var recent = (await runs.ListAsync(filter, new Paging(0, 20), ct)).Items
                .Where(r => r.Bytes >= MeasurableBytes && r.StartedAt is not null && r.FinishedAt > r.StartedAt)
                .Select(r => r.Bytes / (r.FinishedAt!.Value - r.StartedAt!.Value).TotalSeconds)
                .Order().ToList();
            if (recent.Count > 0) return new MeasuredThroughput(recent[recent.Count / 2], recent.Count, filter.ConnectionId is not null);
        }
        return null;
    }

    /// <summary>
    /// A run's bytes over its seconds measures the copy only when the copy dominates the run: a run of a few kB spent
    /// its seconds connecting and planning (1.8 kB/s, which priced a 500 kB clone at 296 s; it took 29).
    /// </summary>
    public const long MeasurableBytes = 64L << 20;
}
