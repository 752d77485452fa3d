namespace PgClone.Core.Catalog;

/// <summary>
/// A pre-data object's identity in dependency ordering: relations ('r'), types ('t') and functions ('f') by oid.
/// Dependencies read from pg_depend are folded onto these keys (a view's rule onto the view, a default onto its table).
/// </summary>
public readonly record struct ObjectKey(char Kind, uint Oid)
{
    public static ObjectKey Parse(string text) => new(text[0], uint.Parse(text.AsSpan(2), System.Globalization.CultureInfo.InvariantCulture));
}

public sealed record SchemaInfo(uint Oid, string Name, string? Comment);

/// <summary>A collation defined in a cloned schema: provider 'i' (ICU) or 'c' (libc).</summary>
public sealed record CollationInfo(uint Oid, QualifiedName Name, char Provider, bool Deterministic, string? Collate, string? Ctype, string? IcuLocale, string? Comment)
{
    public string? Owner { get; init; }
}

public sealed record ExtensionInfo(string Name, string Schema, string Version)
{
    /// <summary>The extensions its control file requires (pg_depend), plpgsql left out.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];
    public IReadOnlyList<ExtensionEventTrigger> EventTriggers { get; init; } = [];
}

/// <summary>An event trigger an extension made, and its state on the source (evtenabled: O, R, A or D).</summary>
public sealed record ExtensionEventTrigger(string Name, char Enabled);

/// <summary>
/// An extension the cloned objects use, and where the use comes from: a schema, and the relation, type or
/// function that uses it (0 when the extension merely lives in the schema).
/// </summary>
public sealed record ExtensionUse(string Extension, string Schema, uint UserOid);

/// <summary>
/// A function name an extension holds, for calls by name in function bodies kept as text (PostgreSQL records no
/// dependency for them). <see cref="BuiltIn"/>: pg_catalog has a function of that name too, so a call that does not
/// name the schema may well be the built-in one (citext's replace, strpos).
/// </summary>
public sealed record ExtensionFunction(string Extension, string Schema, string Name, bool BuiltIn);

/// <summary>A base type is defined by its I/O functions (CREATE TYPE name (INPUT = ...)); a shell type only by its name.</summary>
public enum UserTypeKind { Enum, Domain, Composite, Range, Base, Shell }

/// <summary>
/// What CREATE TYPE of a base type states: its functions (schema-qualified; null when unset), length (-1 = variable),
/// alignment and storage codes, category, default, element type, delimiter, passed by value, collatable.
/// </summary>
public sealed record BaseTypeInfo(
    string Input, string Output, string? Receive, string? Send, string? TypmodIn, string? TypmodOut, string? Analyze, string? Subscript,
    short Length, char Alignment, char Storage, char Category, bool Preferred, string? Default, string? Element, char Delimiter,
    bool PassedByValue, bool Collatable)
{
    /// <summary>The oids of the functions above: they are created between the shell type and the type.</summary>
    public IReadOnlyList<uint> FunctionOids { get; init; } = [];
}

public sealed record DomainCheck(string Name, string Definition, bool Validated, string? Comment);

public sealed record TypeAttribute(string Name, string Type, string? Collation, string? Comment);

public sealed record UserType(uint Oid, QualifiedName Name, UserTypeKind Kind, string? Comment)
{
    public IReadOnlyList<string> EnumLabels { get; init; } = [];
    // domain
    public string? BaseType { get; init; }
    public string? Collation { get; init; }
    public string? Default { get; init; }
    public bool NotNull { get; init; }
    public IReadOnlyList<DomainCheck> Checks { get; init; } = [];
    // composite
    public IReadOnlyList<TypeAttribute> Attributes { get; init; } = [];
    // range
    public string? Subtype { get; init; }
    public string? SubtypeOpclass { get; init; }
    public string? Canonical { get; init; }
    public string? SubtypeDiff { get; init; }
    public QualifiedName? Multirange { get; init; }
    public BaseTypeInfo? Base { get; init; }
}

public sealed record SequenceInfo(
    uint Oid, QualifiedName Name, string DataType, long Start, long Increment, long Min, long Max, long Cache, bool Cycle,
    long LastValue, bool IsCalled, string? Comment)
{
    /// <summary>OWNED BY table and column (serial and identity sequences).</summary>
    public uint OwnerTable { get; init; }
    public string? OwnerColumn { get; init; }
    /// <summary>An identity column's sequence: created by the column, not on its own.</summary>
    public bool IsIdentity { get; init; }
    public bool Unlogged { get; init; }
    /// <summary>The name as PostgreSQL prints it inside a regclass literal (nextval('s.seq'::regclass)).</summary>
    public string PgName { get; init; } = "";
}

public sealed record ColumnInfo(
    int Number, string Name, string Type, uint TypeOid, string? Collation, bool NotNull, string? Default,
    char Identity, char Generated, bool IsLocal, int StatTarget, char Storage, char TypeStorage, string? Comment)
{
    /// <summary>attcompression: 'p' pglz, 'l' lz4, NUL for the default.</summary>
    public char Compression { get; init; }
    /// <summary>attoptions entries "name=value" (n_distinct, ...).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
    /// <summary>
    /// Whether the column's values are or hold oids that name objects (regclass, regtype, regproc, ...; or a domain,
    /// array, range or composite over one): they differ between servers, so the values travel by name, in text.
    /// </summary>
    public bool ByName { get; init; }
    /// <summary>
    /// Where the column's values hold reg* values, however deep in domains, arrays, ranges and composites: the objects
    /// they name are read for a check that each will be on the target (<see cref="CatalogReader.ObjectsNamedByValuesAsync"/>).
    /// </summary>
    public IReadOnlyList<RegValuePath> ObjectsNamed { get; init; } = [];
    /// <summary>
    /// Whether the column's type has no binary form: a base type without send/receive functions (isn's ean13, seg,
    /// aclitem), or a domain, array, range or composite over one. Binary COPY refuses such a column.
    /// </summary>
    public bool NoBinaryForm { get; init; }
    /// <summary>Of citext or a domain over it (<see cref="CatalogReader.CaseFoldingTypes"/>): equal values may differ in case.</summary>
    public bool FoldsCase { get; init; }
    /// <summary>The numbers of the columns a generated column's expression reads: it cannot be cloned without them.</summary>
    public IReadOnlyList<int> GeneratedFrom { get; init; } = [];
}

/// <summary>
/// Reg* values (regclass, regprocedure, ...) a column's values hold, and the steps from a value to them, outermost
/// first: an array's (or multirange's) elements, a range's bounds, a composite's field. A domain is no step.
/// </summary>
public sealed record RegValuePath(string RegType, IReadOnlyList<RegValueStep> Steps)
{
    /// <summary>
    /// From the catalog's form: the reg* type, a space, then the steps, each <c>[]</c> (elements), <c>&lt;&gt;</c>
    /// (bounds) or <c>.</c> and a field's name as quote_ident prints it.
    /// </summary>
    public static RegValuePath Parse(string text)
    {
        var space = text.IndexOf(' ');
        var (type, path) = (text[..space], text[(space + 1)..]);
        var steps = new List<RegValueStep>();
        for (var i = 0; i < path.Length;)
        {
            switch (path[i])
            {
                case '[': steps.Add(RegValueStep.Elements); i += 2; break;
                case '<': steps.Add(RegValueStep.Bounds); i += 2; break;
                default:
                    var (field, end) = QuotedName(path, i + 1);
                    steps.Add(new RegValueStep(RegValueStepKind.Field, field));
                    i = end;
                    break;
            }
        }
        return new RegValuePath(type, steps);
    }

    /// <summary>A name as quote_ident prints it, from <paramref name="start"/>: the name and where it ends.</summary>
    private static (string Name, int End) QuotedName(string path, int start)
    {
        if (path[start] != '"')
        {
            var end = path.IndexOfAny(['.', '[', '<'], start);
            end = end < 0 ? path.Length : end;
            return (path[start..end], end);
        }
        var name = new System.Text.StringBuilder();
        for (var i = start + 1; ; i++)
        {
            if (path[i] != '"') { name.Append(path[i]); continue; }
            if (i + 1 < path.Length && path[i + 1] == '"') { name.Append('"'); i++; continue; }
            return (name.ToString(), i + 1);
        }
    }

    /// <summary>
    /// The FROM items after a relation <c>x</c> with a column <paramref name="column"/> (an SQL expression) and the
    /// expression of the reg* values they reach, one row each.
    /// </summary>
    public (string From, string Value) Sql(string column)
    {
        var (from, value) = ("", column);
        for (var k = 0; k < Steps.Count; k++)
        {
            var step = Steps[k];
            var item = $"pgclone_v{k}";
            switch (step.Kind)
            {
                case RegValueStepKind.Field:
                    value = $"({value}).{Connections.Sql.Ident(step.Field!)}";
                    break;
                case RegValueStepKind.Elements:
                    // In a select list, so that composite elements stay one value (in FROM they spread into columns).
                    from += $", LATERAL (SELECT pg_catalog.unnest({value})) {item} (v)";
                    value = $"{item}.v";
                    break;
                default:
                    from += $", LATERAL (VALUES (pg_catalog.lower({value})), (pg_catalog.upper({value}))) {item} (v)";
                    value = $"{item}.v";
                    break;
            }
        }
        return (from, value);
    }
}

public enum RegValueStepKind { Elements, Bounds, Field }

/// <summary>One step of a <see cref="RegValuePath"/>; <see cref="Field"/> names a composite's field.</summary>
public sealed record RegValueStep(RegValueStepKind Kind, string? Field = null)
{
    public static readonly RegValueStep Elements = new(RegValueStepKind.Elements);
    public static readonly RegValueStep Bounds = new(RegValueStepKind.Bounds);
}

/// <summary>
/// An object <paramref name="From"/> needs (pg_depend) that lives in a schema the clone does not read, printed as
/// <paramref name="RegType"/> prints it (schema-qualified), so that the target can be asked whether it has it.
/// </summary>
public sealed record OutsideDependency(ObjectKey From, string RegType, string Name, string Schema)
{
    /// <summary>The needed object's oid in its catalog (0 when not read: a function a body calls by name).</summary>
    public uint Oid { get; init; }
}

/// <summary>
/// An object a reg* value of a cloned table names (<see cref="CatalogReader.ObjectsNamedByValuesAsync"/>): the
/// value's type, the object's name as the target resolves it, its key (null for a kind with none: a role, a
/// schema, a collation) and its schema (null for a role).
/// </summary>
public sealed record ValueNamedObject(uint Table, string Column, string RegType, string Name, ObjectKey? Key, string? Schema)
{
    /// <summary>Whether the object belongs to an extension (which a database clone brings, wherever it lives).</summary>
    public bool ExtensionMember { get; init; }
}

public sealed record TableInfo(
    uint Oid, QualifiedName Name, char Kind, bool Unlogged, string? PartitionKey, string? PartitionBound,
    IReadOnlyList<uint> Parents, IReadOnlyList<string> RelOptions, char ReplicaIdentity, long Bytes, long Rows,
    IReadOnlyList<ColumnInfo> Columns, string? Comment)
{
    /// <summary>The name as PostgreSQL prints it inside definitions (quote_ident rules), for renaming a table in them.</summary>
    public string PgName { get; init; } = "";
    public bool RowSecurity { get; init; }
    public bool ForceRowSecurity { get; init; }
    /// <summary>A table access method other than heap (CREATE TABLE ... USING).</summary>
    public string? AccessMethod { get; init; }
    /// <summary>The composite type of a typed table (CREATE TABLE ... OF type), rendered.</summary>
    public string? OfType { get; init; }
    /// <summary>The table's tablespace, when not the database's default.</summary>
    public string? Tablespace { get; init; }
    /// <summary>A partitioned table's columns its partition key reads (listed, or in its expressions).</summary>
    public IReadOnlyList<int> PartitionKeyColumns { get; init; } = [];
    /// <summary>
    /// Per parent (in <see cref="Parents"/>' order), its name when an extension owns it, else null: CREATE EXTENSION
    /// makes it on the target, and the catalog leaves extension members out (pgq's queue tables inherit its template).
    /// </summary>
    public IReadOnlyList<string?> ExtensionParents { get; init; } = [];
    public bool IsForeign => Kind == 'f';
    public bool IsPartitioned => Kind == 'p';
    public bool IsPartition => PartitionBound is not null;
}

/// <summary>A table or domain constraint as pg_get_constraintdef renders it.</summary>
public sealed record ConstraintInfo(
    uint Oid, uint TableOid, string Name, char Type, string Definition, bool IsLocal, uint ParentOid,
    bool Validated, IReadOnlyList<int> Columns, uint IndexOid, uint ReferencedTable, string? Comment)
{
    /// <summary>The functions a CHECK constraint calls (pg_depend), to tell one that must wait for a function using its table's row type.</summary>
    public IReadOnlyList<uint> Functions { get; init; } = [];
    /// <summary>A foreign key's columns of the table it references (confkey): a table referencing itself may reference a column a clone leaves out.</summary>
    public IReadOnlyList<int> ReferencedColumns { get; init; } = [];
    /// <summary>A foreign key declared MATCH FULL: a row with any of its columns set must find the row it references (MATCH SIMPLE: all of them set).</summary>
    public bool MatchFull { get; init; }
    /// <summary>
    /// A foreign key's equality operators (conpfeqop), one per column, as OPERATOR(schema.name): the key compares with
    /// them, whatever "=" resolves to on a search_path (citext's, in a schema not on it, is not text's).
    /// </summary>
    public IReadOnlyList<string> EqualityOperators { get; init; } = [];
}

/// <summary>An index; <see cref="Tail"/> is pg_get_indexdef() from " USING" on, so the index can be renamed or moved to another table.</summary>
public sealed record IndexInfo(
    uint Oid, QualifiedName Name, uint TableOid, bool Unique, bool OnOnly, string Tail, uint ConstraintOid, uint ParentIndexOid,
    IReadOnlyList<int> Columns, bool Clustered, bool ReplicaIdentity, string? Comment)
{
    /// <summary>The statistics target of each index column in order (ALTER INDEX ... ALTER COLUMN n SET STATISTICS), -1 for the default.</summary>
    public IReadOnlyList<int> StatTargets { get; init; } = [];
    /// <summary>The index's tablespace, when not the database's default.</summary>
    public string? Tablespace { get; init; }
    /// <summary>Its size on the source as of its last build, VACUUM or ANALYZE (relpages: read without locking it).</summary>
    public long Bytes { get; init; }
}

public sealed record ViewInfo(
    uint Oid, QualifiedName Name, bool Materialized, string Definition, IReadOnlyList<string> RelOptions, bool Populated,
    IReadOnlyList<(string Column, string Comment)> ColumnComments, string? Comment)
{
    /// <summary>Whether the view relies on a constraint (GROUP BY a primary key): it can only be defined once the key exists.</summary>
    public bool NeedsConstraint { get; init; }
    /// <summary>Whether the view's query reads the view itself (CREATE OR REPLACE VIEW v AS ... FROM v): it can only replace a view of that name.</summary>
    public bool SelectsItself { get; init; }
    public IReadOnlyList<ColumnInfo> Columns { get; init; } = [];
    /// <summary>A materialized view's table access method other than heap (CREATE MATERIALIZED VIEW ... USING).</summary>
    public string? AccessMethod { get; init; }
    /// <summary>A materialized view's tablespace, when not the database's default.</summary>
    public string? Tablespace { get; init; }
}

public sealed record FunctionInfo(uint Oid, QualifiedName Name, string IdentityArguments, char Kind, string Definition, string? Comment)
{
    /// <summary>For a C function, the library it loads (pg_proc.probin, e.g. "$libdir/name"); null otherwise.</summary>
    public string? Library { get; init; }

    /// <summary>Written in a language that is not trusted (C, internal, plpython3u, ...): only a superuser can create it.</summary>
    public bool UntrustedLanguage { get; init; }

    /// <summary>
    /// A SQL-standard body (BEGIN ATOMIC) relies on a constraint, as a query grouping by a key does: the function is
    /// created once the key exists, after the data, as pg_dump postpones it.
    /// </summary>
    public bool NeedsConstraint { get; init; }

    public string Signature => SignatureOf(Name, IdentityArguments);
    public static string SignatureOf(QualifiedName name, string identityArguments) => $"{name.Quoted}({identityArguments})";
}

public sealed record TriggerInfo(uint Oid, uint TableOid, string Name, string Definition, char Enabled, IReadOnlyList<int> Columns, uint FunctionOid, string? Comment)
{
    /// <summary>
    /// A partition's copy of its partitioned parent's trigger (created with the parent's), read only because its
    /// enabled state differs from the parent's: all it needs is that state.
    /// </summary>
    public bool OnPartition { get; init; }
    /// <summary>The functions it uses (pg_depend): its own, and those its WHEN clause calls.</summary>
    public IReadOnlyList<uint> FunctionsUsed { get; init; } = [];
    /// <summary>The operators its WHEN clause uses (pg_depend).</summary>
    public IReadOnlyList<uint> OperatorsUsed { get; init; } = [];

    /// <summary>A constraint trigger's other table (CREATE CONSTRAINT TRIGGER ... FROM it), which must exist for it to be created.</summary>
    public QualifiedName? From { get; init; }
}

/// <summary>
/// An object marked ALTER ... DEPENDS ON EXTENSION (pg_depend deptype 'x'): Kind 'f' a routine, 'm' a
/// materialized view, 'i' an index, 'g' a trigger.
/// </summary>
public sealed record ExtensionDependent(char Kind, uint Oid, string Extension);

/// <summary>A row-level security policy; Roles empty means PUBLIC.</summary>
public sealed record PolicyInfo(uint Oid, uint TableOid, string Name, bool Permissive, char Command, IReadOnlyList<string> Roles,
    string? Using, string? WithCheck, string? Comment)
{
    /// <summary>The numbers of the table's columns its USING and WITH CHECK expressions read.</summary>
    public IReadOnlyList<int> Columns { get; init; } = [];
}

/// <summary>An extended statistics object: kinds (d, f, m), the column/expression list, and its statistics target.</summary>
public sealed record StatisticsInfo(uint Oid, QualifiedName Name, uint TableOid, IReadOnlyList<char> Kinds, string Columns,
    int StatTarget, IReadOnlyList<int> ColumnNumbers, string? Comment)
{
    public string? Owner { get; init; }

    /// <summary>The table or materialized view it is on, which may be in another schema than its own.</summary>
    public QualifiedName Relation { get; init; }
}

/// <summary>GRANT (or REVOKE) privileges on an object (or one of its columns) to (from) a role; Grantee null means PUBLIC.</summary>
public sealed record AclChange(ObjectKey Object, string? Column, bool Grant, string? Grantee, IReadOnlyList<string> Privileges, bool Grantable)
{
    /// <summary>The role that granted, when not the object's owner (a holder of the grant option passed it on); null otherwise.</summary>
    public string? Grantor { get; init; }
}

/// <summary>
/// A privilege change on a member of an extension since CREATE EXTENSION set its privileges (pg_init_privs).
/// <see cref="Keyword"/> is how GRANT names the kind (FUNCTION, TABLE, TYPE, LANGUAGE, ...); <see cref="Schema"/> is null
/// for kinds outside schemas; <see cref="Arguments"/> are a routine's identity arguments.
/// </summary>
public sealed record ExtensionMemberAcl(string Extension, string Keyword, string? Schema, string Name, string? Arguments, AclChange Change);

/// <summary>A text search dictionary of an extension with its options as the source has them (dictinitoption).</summary>
public sealed record ExtensionDictionary(string Extension, QualifiedName Name, string Options);

/// <summary>
/// A table or sequence an extension marked with pg_extension_config_dump, or another sequence of an extension: CREATE
/// EXTENSION makes it with the script's rows; the rows its filter selects (the user's) and the sequence's value are
/// data to carry (pg_dump carries a configuration sequence's value only, and leaves the others at their start).
/// </summary>
/// <param name="Filter">The WHERE condition without its keyword, or null for every row.</param>
/// <param name="LastValue">A sequence's value when it has been called; null otherwise (and for tables).</param>
public sealed record ExtensionConfig(
    string Extension, QualifiedName Name, char Kind, string? Filter, IReadOnlyList<string> Columns, long? LastValue, long EstimatedBytes, long EstimatedRows)
{
    /// <summary>The other tables its foreign keys reference: CREATE EXTENSION made the keys, so their rows must be in first.</summary>
    public IReadOnlyList<QualifiedName> References { get; init; } = [];
}

/// <summary>Everything the planner needs from the source, read once inside the run's snapshot.</summary>
public sealed record SourceCatalog
{
    /// <summary>
    /// The source is a hot standby: it holds no rows of unlogged tables and no state of unlogged sequences (neither is
    /// replicated), and reading them fails.
    /// </summary>
    public bool InRecovery { get; init; }
    public required IReadOnlyList<SchemaInfo> Schemas { get; init; }
    /// <summary>
    /// Partitions in schemas the read did not cover, of partitioned tables it did (GitLab's layout: parents in public,
    /// partitions in a schema of their own): a partitioned table's rows are all theirs.
    /// </summary>
    public IReadOnlyList<(QualifiedName Parent, QualifiedName Partition)> PartitionsElsewhere { get; init; } = [];
    public required IReadOnlyList<ExtensionInfo> Extensions { get; init; }
    public required IReadOnlyList<ExtensionUse> ExtensionUses { get; init; }
    /// <summary>The functions of every extension, by name; read for scoped clones (a database clone creates every extension).</summary>
    public IReadOnlyList<ExtensionFunction> ExtensionFunctions { get; init; } = [];
    public required IReadOnlyList<CollationInfo> Collations { get; init; }
    public required IReadOnlyList<UserType> Types { get; init; }
    public required IReadOnlyList<SequenceInfo> Sequences { get; init; }
    public required IReadOnlyList<TableInfo> Tables { get; init; }
    public required IReadOnlyList<ConstraintInfo> Constraints { get; init; }
    public required IReadOnlyList<IndexInfo> Indexes { get; init; }
    public required IReadOnlyList<ViewInfo> Views { get; init; }
    public required IReadOnlyList<FunctionInfo> Functions { get; init; }
    public required IReadOnlyList<TriggerInfo> Triggers { get; init; }
    public required IReadOnlyList<PolicyInfo> Policies { get; init; }
    public required IReadOnlyList<StatisticsInfo> Statistics { get; init; }
    public IReadOnlyList<ExtensionDependent> ExtensionDependents { get; init; } = [];
    public IReadOnlyList<AggregateInfo> Aggregates { get; init; } = [];
    public IReadOnlyList<OperatorInfo> Operators { get; init; } = [];
    public IReadOnlyList<OperatorFamilyInfo> OperatorFamilies { get; init; } = [];
    public IReadOnlyList<OperatorClassInfo> OperatorClasses { get; init; } = [];
    public IReadOnlyList<TextSearchParserInfo> TextSearchParsers { get; init; } = [];
    public IReadOnlyList<TextSearchTemplateInfo> TextSearchTemplates { get; init; } = [];
    public IReadOnlyList<TextSearchDictionaryInfo> TextSearchDictionaries { get; init; } = [];
    public IReadOnlyList<TextSearchConfigInfo> TextSearchConfigs { get; init; } = [];
    public IReadOnlyList<CastInfo> Casts { get; init; } = [];
    public IReadOnlyList<LanguageInfo> Languages { get; init; } = [];
    public IReadOnlyList<TransformInfo> Transforms { get; init; } = [];
    public IReadOnlyList<ConversionInfo> Conversions { get; init; } = [];
    public IReadOnlyList<RuleInfo> Rules { get; init; } = [];
    public IReadOnlyList<ForeignTableInfo> ForeignTables { get; init; } = [];
    /// <summary>Database-wide objects: read for a database clone only (empty otherwise).</summary>
    public DatabaseObjects Database { get; init; } = new();
    public required IReadOnlyList<(ObjectKey From, ObjectKey To)> Dependencies { get; init; }
    /// <summary>Privilege changes from each object's default ACL to its actual one, in the order they were granted.</summary>
    public required IReadOnlyList<AclChange> Privileges { get; init; }
    /// <summary>Privileges of extension members changed after CREATE EXTENSION, in every extension of the database.</summary>
    public IReadOnlyList<ExtensionMemberAcl> ExtensionAcls { get; init; } = [];
    /// <summary>The options of every extension's text search dictionaries (ALTER TEXT SEARCH DICTIONARY may have changed them).</summary>
    public IReadOnlyList<ExtensionDictionary> ExtensionDictionaries { get; init; } = [];
    public IReadOnlyList<ExtensionConfig> ExtensionConfigs { get; init; } = [];
    /// <summary>Owner role of every schema ('n'), relation ('r'), type ('t') and function ('f').</summary>
    public required IReadOnlyDictionary<ObjectKey, string> Owners { get; init; }
    /// <summary>
    /// Relations, types and routines whose owner has no CREATE privilege on their schema (a superuser gave them
    /// away): a cloning user who is not a superuser cannot give them to that owner (ALTER ... OWNER TO needs it).
    /// </summary>
    public IReadOnlySet<ObjectKey> OwnersWithoutCreate { get; init; } = new HashSet<ObjectKey>();
    /// <summary>Objects of the schemas that cannot be recreated (security labels), for the planner's refusal or plan.Skipped.</summary>
    public required IReadOnlyList<string> Unsupported { get; init; }
    /// <summary>
    /// Indexes that regclass values of the cloned tables name (found by <see cref="CatalogReader.ObjectsNamedByValuesAsync"/>).
    /// COPY resolves each name as its row loads, so such an index must exist before the data, where a restore of
    /// pg_dump's output fails.
    /// </summary>
    public IReadOnlySet<uint> IndexesNamedByValues { get; init; } = new HashSet<uint>();

    // Lookups by oid, built on first use: planning a database of thousands of tables stays linear.
    private Dictionary<uint, TableInfo>? _tables;
    private Dictionary<uint, IndexInfo>? _indexes;
    private ILookup<uint, IndexInfo>? _indexesByTable;
    private ILookup<uint, ConstraintInfo>? _constraintsByTable;
    private ILookup<uint, TriggerInfo>? _triggersByTable;
    private ILookup<uint, SequenceInfo>? _sequencesByOwner;
    private ILookup<uint, StatisticsInfo>? _statisticsByTable;
    private ILookup<uint, PolicyInfo>? _policiesByTable;
    private ILookup<ObjectKey, ObjectKey>? _dependencies;

    public TableInfo? Table(uint oid) => (_tables ??= Tables.ToDictionary(t => t.Oid)).GetValueOrDefault(oid);
    public IndexInfo Index(uint oid) => FindIndex(oid) ?? throw new KeyNotFoundException($"index {oid} is not in the catalog");
    public IndexInfo? FindIndex(uint oid) => (_indexes ??= Indexes.ToDictionary(i => i.Oid)).GetValueOrDefault(oid);
    public IEnumerable<IndexInfo> IndexesOf(uint relation) => (_indexesByTable ??= Indexes.ToLookup(i => i.TableOid))[relation];
    public IEnumerable<ConstraintInfo> ConstraintsOf(uint table) => (_constraintsByTable ??= Constraints.ToLookup(c => c.TableOid))[table];
    public IEnumerable<TriggerInfo> TriggersOf(uint table) => (_triggersByTable ??= Triggers.ToLookup(t => t.TableOid))[table];
    public IEnumerable<SequenceInfo> SequencesOwnedBy(uint table) => (_sequencesByOwner ??= Sequences.ToLookup(s => s.OwnerTable))[table];
    public IEnumerable<StatisticsInfo> StatisticsOf(uint table) => (_statisticsByTable ??= Statistics.ToLookup(s => s.TableOid))[table];
    public IEnumerable<PolicyInfo> PoliciesOf(uint table) => (_policiesByTable ??= Policies.ToLookup(p => p.TableOid))[table];
    /// <summary>What an object depends on directly.</summary>
    public IEnumerable<ObjectKey> DependenciesOf(ObjectKey key) => (_dependencies ??= Dependencies.ToLookup(d => d.From, d => d.To))[key];
}
