using System.Text.RegularExpressions;
using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>How a column masked in process travels in the binary COPY stream.</summary>
public enum StreamMaskType
{
    /// <summary>text or character varying[(n)]: UTF-8 text in and out; the output is cut to n characters as CAST does.</summary>
    Text,
    /// <summary>uuid read as text (<c>c::text</c>), written as the 16 bytes of the hash's first 32 hex digits.</summary>
    Uuid,
    /// <summary>date: int32 days since 2000-01-01 in and out.</summary>
    Date,
    /// <summary>timestamp without time zone: int64 microseconds since 2000-01-01 in and out.</summary>
    Timestamp,
}

/// <summary>
/// A column of a planned table that the engine masks on the stream (field <see cref="Field"/> of each COPY
/// tuple), instead of the source computing the SQL expression per row. Stored in the plan, without any secret.
/// </summary>
public sealed partial record StreamMask(int Field, MaskRule Rule, StreamMaskType Type)
{
    /// <summary>character varying(n)'s n, else 0.</summary>
    public int MaxLength { get; init; }

    /// <summary>
    /// The stream mask for a column when the engine computes exactly what <see cref="MaskExpressions"/> gives for it,
    /// with the expression the source reads it through; null when the column keeps the SQL expression (the unkeyed
    /// and random strategies, which cost the source little, and types whose cast or time zone rules differ).
    /// </summary>
    public static (StreamMaskType Type, int MaxLength, string ReadAs)? Plan(MaskRule rule, MaskColumn column)
    {
        // A type that ignores case hashes its values lower-cased as the server lowers them: left to the SQL expression.
        if (column.FoldsCase) return null;
        var c = Sql.Ident(column.Column);
        var type = column.DataType.Trim();
        if (rule.Strategy == MaskStrategy.DateShift)
            return type switch
            {
                "date" => (StreamMaskType.Date, 0, c),
                "timestamp without time zone" => (StreamMaskType.Timestamp, 0, c),
                // timestamptz + days follows the session's time zone rules (DST): left to the SQL expression.
                _ => null,
            };
        if (!MaskValues.Supports(rule.Strategy)) return null;
        if (type == "uuid") return rule.Strategy == MaskStrategy.KeyedHash ? (StreamMaskType.Uuid, 0, $"{c}::text") : null;
        if (type is "text" or "character varying") return (StreamMaskType.Text, 0, c);
        if (VarcharPattern().Match(type) is { Success: true } m) return (StreamMaskType.Text, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), c);
        return null;
    }

    [GeneratedRegex(@"^character varying\((\d+)\)$")]
    private static partial Regex VarcharPattern();
}
