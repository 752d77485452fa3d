using PgClone.Core.Catalog;

namespace PgClone.Core.Ddl;

/// <summary>
/// One statement to run on the target. <see cref="ObjectName"/> is how errors and progress name it
/// (<c>table "s"."t"</c>, <c>index "s"."i"</c>).
/// </summary>
public sealed record DdlStatement(string ObjectKind, string ObjectName, string Sql)
{
    /// <summary>The table this statement belongs to, when it is a per-table post-data step (for checkpoints).</summary>
    public QualifiedName? Table { get; init; }
    /// <summary>For a foreign key, the table it references (the engine adds it once that table's data and keys are in).</summary>
    public QualifiedName? References { get; init; }
    /// <summary>For a foreign key, whether the table it references is the target's own, not created by this run.</summary>
    public bool ReferencesTargetOwn { get; init; }
    /// <summary>
    /// ADD CONSTRAINT ... USING INDEX: turns a unique index built beforehand into the key. It takes the table's lock
    /// only for that, so it runs after the table's other builds, which it would otherwise wait for.
    /// </summary>
    public bool UsingIndex { get; init; }
    /// <summary>
    /// For the unique index a key is built as (see <see cref="UsingIndex"/>), the key's own ADD CONSTRAINT: what
    /// the two statements come to when they run in one transaction anyway, one statement cheaper.
    /// </summary>
    public string? AsKey { get; init; }
    /// <summary>
    /// For an index build, the size of the source's index (of all of them, for a partitioned one): of the builds running
    /// at once, the largest gets the parallel workers (<see cref="Jobs.LoadScheduler{TCopy}.SerialBeside"/>).
    /// </summary>
    public long EstimatedBytes { get; init; }
    public override string ToString() => $"{ObjectKind} {ObjectName}";
}

/// <summary>
/// The data of one table to stream. The source side is <c>COPY (SELECT SourceExpressions FROM ONLY Source WHERE Where)
/// TO STDOUT</c> (ONLY: an inheritance parent's own rows, not its children's, which have their own TableData);
/// the target side is <c>COPY Target (TargetColumns) FROM STDIN</c>. Expressions are already SQL (a quoted column
/// or a mask expression), in the same order as the target columns. Generated columns are not listed.
/// </summary>
public sealed record TableData(
    QualifiedName Source,
    QualifiedName Target,
    IReadOnlyList<string> TargetColumns,
    IReadOnlyList<string> SourceExpressions,
    string? Where,
    long EstimatedBytes,
    long EstimatedRows)
{
    /// <summary>Set when the target table was created in this run, so COPY FREEZE may be used.</summary>
    public bool CreatedInRun { get; init; }
    /// <summary>An integer single-column primary key usable for range splitting, if any.</summary>
    public string? IntegerKeyColumn { get; init; }
    /// <summary>Columns the engine masks on the stream (their source expression only reads the value).</summary>
    public IReadOnlyList<Masking.StreamMask> StreamMasks { get; init; } = [];
    /// <summary>
    /// Whether the table travels in COPY's text format: a copied column's type has no binary form
    /// (<see cref="Catalog.ColumnInfo.NoBinaryForm"/>). Binary is faster and exact for every other type.
    /// </summary>
    public bool TextFormat { get; init; }
    /// <summary>
    /// Whether ANALYZE runs after the load. Not for an inheritance parent with a foreign table below it: ANALYZE
    /// samples every descendant, through the foreign one's wrapper (which may have no handler, or reach a remote
    /// server); pg_dump's restore analyzes nothing.
    /// </summary>
    public bool Analyze { get; init; } = true;
    /// <summary>Row filters that together select the table's rows, copied in parallel (a subset's chosen rows); null: the copy decides.</summary>
    public IReadOnlyList<string>? Ranges { get; init; }
    /// <summary>
    /// The statements creating the target table when the copy creates it (not PreData): run in the COPY's transaction
    /// by the worker that loads it, or before the load when the table is copied in ranges. Empty: PreData creates it.
    /// </summary>
    public IReadOnlyList<DdlStatement> Create { get; init; } = [];
    /// <summary>
    /// Tables whose rows must be loaded before this one's: for an extension's configuration table, those its foreign
    /// keys reference (CREATE EXTENSION made the keys before the load), as pg_dump orders their data; for the user's
    /// tables, every configuration table (an extension's type or function may read its rows as theirs load).
    /// </summary>
    public IReadOnlyList<QualifiedName> LoadAfter { get; init; } = [];
}

/// <summary>
/// What a clone does on the target, in the order it must happen. The planner builds it from the source's
/// catalog and the target's current state; the executor runs it.
/// </summary>
public sealed record ClonePlan
{
    /// <summary>
    /// Run one after another, in order: conflict handling, schemas, extensions, collations, then types, sequences,
    /// functions, tables (NOT NULL and validated CHECKs inline; no keys or indexes), views and materialized views
    /// (created empty) in pg_depend order, then sequence ownership. Tables nothing here depends on are created by
    /// their copy instead (<see cref="TableData.Create"/>).
    /// </summary>
    public IReadOnlyList<DdlStatement> PreData { get; init; } = [];
    /// <summary>Independent of one another: copied in parallel, largest first.</summary>
    public IReadOnlyList<TableData> Tables { get; init; } = [];
    /// <summary>
    /// PRIMARY KEY, UNIQUE, EXCLUDE and plain indexes: independent, may run in parallel. The index of a partitioned
    /// table and its partitions' indexes are one statement holding several SQL statements separated by ';'
    /// (CREATE ... ON ONLY, each partition's own, ATTACH PARTITION), so names survive and no ordering is needed.
    /// </summary>
    public IReadOnlyList<DdlStatement> Indexes { get; init; } = [];
    /// <summary>
    /// FOREIGN KEYs (after every index they depend on exists), CHECKs declared NOT VALID and domains' NOT VALID checks (after the data):
    /// independent of one another; two foreign keys between the same pair of tables may wait on each other's locks.
    /// </summary>
    public IReadOnlyList<DdlStatement> Constraints { get; init; } = [];
    /// <summary>
    /// Run one after another, in order, after constraints: sequence values, REFRESH of materialized views (in
    /// dependency order) and their indexes, triggers (with their enabled state), REPLICA IDENTITY / CLUSTER ON,
    /// extended statistics, row-level security and policies, owners and privileges (for roles the target has),
    /// comments.
    /// </summary>
    public IReadOnlyList<DdlStatement> PostData { get; init; } = [];
    /// <summary>Large objects whose bytes are streamed after the tables' (created empty, with owners and grants, in PreData).</summary>
    public IReadOnlyList<uint> LargeObjects { get; init; } = [];
    /// <summary>Objects deliberately left out, each with the reason (e.g. an index on a column not selected).</summary>
    public IReadOnlyList<string> Skipped { get; init; } = [];
    /// <summary>What the run's result says of objects cloned as they are but meaning other than the user may think.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>
    /// Unlogged tables and sequences of a hot-standby source (<c>table "s"."t"</c>), which holds none of their rows or
    /// state: created empty, at their start.
    /// </summary>
    public IReadOnlyList<string> UnreadOnStandby { get; init; } = [];
    /// <summary>Objects of the plan that already exist on the target, handled by the conflict strategy (e.g. <c>table "s"."t"</c>).</summary>
    public IReadOnlyList<string> Conflicts { get; init; } = [];
    /// <summary>
    /// The target's objects conflict=replace drops (with CASCADE) to create them again, as a reg* type and a name
    /// (<c>regclass</c>, <c>"s"."t"</c>): what else that would drop is refused before anything changes.
    /// </summary>
    public IReadOnlyList<(string RegType, string Name)> Replaced { get; init; } = [];
    /// <summary>Target database to create first (database-create), if any.</summary>
    public string? CreateDatabase { get; init; }
    /// <summary>The foreign keys the where filter may break, checked on the source before anything is written (<see cref="WhereForeignKeys"/>).</summary>
    public IReadOnlyList<FilteredForeignKey> FilteredForeignKeys { get; init; } = [];
}

/// <summary>
/// A foreign key the run creates between two tables it copies through the where filter (a table referencing itself,
/// a partitioned table's partitions, two tables of a schema clone): the filter may keep a row and leave out the row
/// it references, and the key, added once the rows are in, would then fail the run after it wrote them. Source
/// names: the check reads the source, in the run's snapshot.
/// </summary>
/// <param name="Partitioned">A partitioned table's key covers the rows of all its partitions; another's, its own rows only (ONLY).</param>
/// <param name="MatchFull">MATCH FULL: a row with any key column set must find its referenced row; MATCH SIMPLE: one with all of them set.</param>
/// <param name="EqualityOperators">The key's own operators, referenced column on the left (<see cref="ConstraintInfo.EqualityOperators"/>).</param>
public sealed record FilteredForeignKey(
    string Name,
    QualifiedName Table,
    bool Partitioned,
    IReadOnlyList<string> Columns,
    QualifiedName Referenced,
    bool ReferencedPartitioned,
    IReadOnlyList<string> ReferencedColumns,
    bool MatchFull,
    IReadOnlyList<string> EqualityOperators,
    string Where)
{
    /// <summary>
    /// Whether the refusal may show a key value it found: not when a mask rule covers a column of that name, since
    /// the value is the source's, unmasked, and a refusal reaches the console and the logs.
    /// </summary>
    public bool ShowsKey { get; init; } = true;
}
