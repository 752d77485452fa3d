using System.Text.Json;
using PgClone.Core.Jobs;
using PgClone.Web.Runs;

namespace PgClone.Web.Masking;

/// <summary>What the evidence page of a run shows, read from the run's record and the policy version it names.</summary>
/// <param name="SnapshotId">The exported source snapshot the run read every table in (from the engine's note).</param>
/// <param name="Gate">The masking gate's result in words (require_masking, or the production confirmation).</param>
/// <param name="Proof">The engine's proof-of-masking line, when the run masked and verified.</param>
public sealed record RunEvidence(RunDetail Detail, string? SnapshotId, string OptionsJson, MaskPolicyVersionInfo? Policy, string Gate, string? Proof);

/// <summary>Gathers a run's evidence; composes what the runs service and the policy store already hold.</summary>
public sealed class RunEvidenceService(RunsService runs, MaskPoliciesService policies)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task<RunEvidence?> GetAsync(long runId, CancellationToken ct = default)
    {
        if (await runs.GetAsync(runId, ct) is not { } detail) return null;
        var policy = detail.MaskPolicyVersionId is { } v ? await policies.GetVersionAsync(v, ct) : null;
        var snapshot = detail.Notes.FirstOrDefault(n => n.StartsWith(CloneResult.SnapshotNote, StringComparison.Ordinal)) is { } note
            ? note[CloneResult.SnapshotNote.Length..].Split(':')[0] : null;
        var proof = detail.Notes.FirstOrDefault(n => n.StartsWith(CloneResult.ProofNote, StringComparison.Ordinal));
        var options = detail.Options is null ? "{}" : JsonSerializer.Serialize(JsonDocument.Parse(detail.Options.ToJson()).RootElement, Indented);
        return new RunEvidence(detail, snapshot, options, policy, Gate(detail), proof);
    }

    private static string Gate(RunDetail d)
    {
        var run = d.Run;
        if (d.Options?.RequireMasking == true)
            return run.Error?.Contains("require_masking", StringComparison.Ordinal) == true
                ? $"require_masking: FAILED, the run stopped before copying: {run.Error}"
                : run.Status == RunStatus.Succeeded
                    ? "require_masking: passed. Discovery ran on the copied tables in the run's snapshot and every sensitive column had a mask rule."
                    : $"require_masking: on (the run ended {run.Status.Name()} before or after the gate; see the outcome)";
        return d.ProductionConfirmed
            ? $"no gate: {run.StartedBy} confirmed a production → non-production clone without a mask rule for every sensitive column"
            : "no gate: require_masking was off for this run";
    }
}
