using Npgsql;
using PgClone.Core.Catalog;
using PgClone.Core.Ddl;

namespace PgClone.Core.Masking;

/// <summary>A source column as the masking rules see it while a clone is planned.</summary>
public sealed record MaskColumn(
    QualifiedName Table,
    string Column,
    string DataType,
    bool InPrimaryKey,
    bool InUnique,
    bool InForeignKey)
{
    /// <summary>pg_type.typcategory when the caller read it ('S' string, 'N' numeric, 'A' array, ...); null: judged from <see cref="DataType"/>.</summary>
    public char? TypeCategory { get; init; }

    /// <summary>
    /// The tables the column is inherited from, nearest first: a partition's partitioned parents up to the root, an
    /// inheritance child's parents that have the column. Their rules for it mask it here too, as a query of a parent
    /// returns these rows.
    /// </summary>
    public IReadOnlyList<QualifiedName> InheritedFrom { get; init; } = [];

    /// <summary>
    /// The column's type compares values ignoring case (citext, or a domain over it): strategies that hash the value
    /// hash it lower-cased, as citext compares, so values the source holds equal (a key and the foreign key that
    /// references it, say) stay equal on the target.
    /// </summary>
    public bool FoldsCase { get; init; }

    /// <summary>Value equality, <see cref="InheritedFrom"/> compared by its items.</summary>
    public bool Equals(MaskColumn? other) =>
        other is not null && Table == other.Table && Column == other.Column && DataType == other.DataType && InPrimaryKey == other.InPrimaryKey
        && InUnique == other.InUnique && InForeignKey == other.InForeignKey && TypeCategory == other.TypeCategory && FoldsCase == other.FoldsCase
        && InheritedFrom.SequenceEqual(other.InheritedFrom);

    public override int GetHashCode() => HashCode.Combine(Table, Column, DataType, InPrimaryKey, InUnique, InForeignKey, TypeCategory, FoldsCase);
}

/// <summary>How a copy reads a masked column: <see cref="ReadAs"/> on the source, then <see cref="Stream"/> in the engine when set (its Field is the planner's to set).</summary>
public sealed record ColumnRead(string ReadAs, StreamMask? Stream);

/// <summary>
/// Masking's part in a clone run. The planner asks it for each copied column; a non-null answer is the SQL
/// expression computed on the source inside the COPY query, so unmasked values never leave the source.
/// The engine calls the gate before any row is copied and the proof after the data is in.
/// </summary>
public interface IColumnMasker
{
    /// <summary>The mask expression for the column, or null to pass it through. Throws PgCloneException for a rule that cannot apply (wrong type, unsafe on a key).</summary>
    string? ExpressionFor(MaskColumn column);

    /// <summary>
    /// How the copy reads the column: the expression the source computes, and the mask the engine applies on the
    /// stream when it computes the same output itself (the source then only reads the value). Null: not masked.
    /// </summary>
    ColumnRead? ReadFor(MaskColumn column) => ExpressionFor(column) is { } e ? new ColumnRead(e, null) : null;

    /// <summary>The rewriter applying a planned table's stream masks (one per COPY), or null when it has none.</summary>
    Copying.BinaryCopyWalker? RewriterFor(TableData table) => null;

    /// <summary>
    /// A column the clone does not copy because the target computes it (a stored generated column, which can
    /// only derive from columns of its own row). A rule for it is satisfied when the columns it is computed from are
    /// masked (the target derives it from them), and refused before the copy otherwise. Discovery suggests such rules
    /// because a masked view does need them.
    /// </summary>
    void ComputedOnTarget(MaskColumn column);

    /// <summary>Called once after every table was planned: a rule that matched no column is an error.</summary>
    void EnsureAllRulesUsed();

    /// <summary>
    /// The coverage gate ("require_masking"): before any row is copied, fails naming every sensitive column of
    /// the planned tables that has no rule. <paramref name="source"/> is inside the run's snapshot.
    /// </summary>
    Task EnsureCoverageAsync(NpgsqlConnection source, ClonePlan plan, CancellationToken ct);

    /// <summary>
    /// After the data is in: checks on a bounded sample, joined by primary key, that no masked column on the
    /// target equals its source value. Returns one line for the run summary, or null when nothing was masked.
    /// </summary>
    Task<string?> ProveAsync(NpgsqlConnection source, NpgsqlConnection target, ClonePlan plan, CancellationToken ct);
}
