using System.Text.Json.Serialization;
using PgClone.Core.Masking;
using PgClone.Core.Roles;

namespace PgClone.Cli.Commands;

/// <summary>The shapes of the verbs' --json output (snake_case), as generated metadata: pgclone runs natively compiled.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CloneSummary))]
[JsonSerializable(typeof(CloneSummary.Stopped))]
[JsonSerializable(typeof(IReadOnlyList<ComplianceRow>))]
[JsonSerializable(typeof(RolesOutput))]
[JsonSerializable(typeof(MaskInPlaceOutput))]
[JsonSerializable(typeof(VerifyOutput))]
[JsonSerializable(typeof(RunStarted))]
internal sealed partial class CliJson : JsonSerializerContext;

internal sealed record RolesOutput(string Summary, IEnumerable<string> Created, IEnumerable<string> Updated, IEnumerable<string> Settings,
    IEnumerable<string> Grants, IReadOnlyList<SkippedGrant> Skipped);

internal sealed record MaskInPlaceOutput(string Table, long Rows, IReadOnlyList<string> Columns);

internal sealed record VerifyOutput(string Mode, bool Estimates, bool AllMatch, IEnumerable<VerifyOutput.TableResult> Tables)
{
    public sealed record TableResult(string Schema, string Table, string Kind, long? SourceRows, long? TargetRows, string Match, string Status,
        string? SourceChecksum, string? TargetChecksum, IReadOnlyList<string> ExcludedColumns, string? Note);
}

internal sealed record RunStarted(long Id);

/// <summary>What the progress hub's messages carry (pgclone runs watch): a run id out, progress documents in.</summary>
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(System.Text.Json.JsonElement))]
[JsonSerializable(typeof(object))]
internal sealed partial class HubJson : JsonSerializerContext;
