using PgClone.Core.Catalog;

namespace PgClone.Core.Masking;

/// <summary>A source column as the masking rules see it while a clone is planned.</summary>
public sealed record MaskColumn(
    QualifiedName Table,
    string Column,
    string DataType,
    bool InPrimaryKey,
    bool InUnique,
    bool InForeignKey);

/// <summary>
/// The planner asks this for each copied column; a non-null answer is the SQL expression computed on the
/// source inside the COPY query, so unmasked values never leave the source.
/// </summary>
public interface IColumnMasker
{
    /// <summary>The mask expression for the column, or null to pass it through. Throws PgCloneException for a rule that cannot apply (wrong type, unsafe on a key).</summary>
    string? ExpressionFor(MaskColumn column);

    /// <summary>Called once after every table was planned: a rule that matched no column is an error.</summary>
    void EnsureAllRulesUsed();
}
