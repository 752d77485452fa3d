using System.Collections.Concurrent;
using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Catalog;

/// <summary>
/// Reads the source catalog of a set of schemas into <see cref="SourceCatalog"/>: the only place that queries
/// pg_catalog about the objects to clone. Runs on a connection whose search_path is pg_catalog, so every
/// pg_get_*def() and format_type() result names user objects schema-qualified. Objects that belong to an
/// extension are left out everywhere: CREATE EXTENSION brings them.
/// </summary>
public static partial class CatalogReader
{
    /// <summary>
    /// The settings of a transaction that reads the catalog: every name pg_catalog-qualified in pg_get_*def, and no
    /// JIT. The planner's estimates for these catalog joins grow with the catalog (an attribute read of 3,000 tables
    /// is costed at 96 million), far past jit_above_cost, and compiling them cost more than running them: a database
    /// clone of 3,000 tables planned in 1.70-1.97 s with JIT, 1.05-1.13 s without.
    /// </summary>
    public const string ReadSettings = "SET LOCAL search_path = pg_catalog; SET LOCAL jit = off";

    private const string NotExtensionMember =
        "NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '{0}'::regclass AND x.objid = {1} AND x.deptype = 'e')";

    internal static string NotMember(string catalog, string oid) => string.Format(System.Globalization.CultureInfo.InvariantCulture, NotExtensionMember, catalog, oid);

    /// <summary>
    /// The comment on an object (a column when <paramref name="subid"/> is its number), as obj_description and
    /// col_description give it: a lookup by pg_description's key, a fraction of their cost per row (they are SQL
    /// functions, run through the function executor for every row: 5 µs each, 13 ms of a 300-table plan).
    /// </summary>
    internal static string Comment(string catalog, string oid, string subid = "0") =>
        $"(SELECT cmt.description FROM pg_catalog.pg_description cmt WHERE cmt.objoid = {oid} AND cmt.classoid = 'pg_catalog.{catalog}'::pg_catalog.regclass AND cmt.objsubid = {subid})";

    /// <summary>
    /// The numbers of the columns of <paramref name="relation"/> an object reads, as an int2[]: those it lists
    /// (<paramref name="keys"/>, an int2vector such as indkey or tgattr) and those its expressions read, which only
    /// pg_depend records (an index's WHERE, a trigger's WHEN, a policy's USING, a rule's qualification). A clone of some
    /// of a table's columns leaves out what reads another: creating it would fail after the rows are in.
    /// </summary>
    internal static string ColumnsRead(string catalog, string oid, string relation, string? keys = null) =>
        $"""
        ARRAY(SELECT DISTINCT k::int2 FROM ({(keys is null ? "" : $"SELECT unnest({keys}::int2[]) AS k UNION ")}SELECT d.refobjsubid FROM pg_depend d
              WHERE d.classid = '{catalog}'::regclass AND d.objid = {oid} AND d.refclassid = 'pg_class'::regclass AND d.refobjid = {relation}) x (k) WHERE k > 0 ORDER BY 1)
        """;

    /// <summary>
    /// User schemas of the database: not system, not toast/temp; one an extension created only when it also holds
    /// tables or functions of the user's (CREATE EXTENSION makes the schema, the clone what the user put in it).
    /// </summary>
    public static async Task<List<string>> UserSchemasAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await QueryAsync(conn, $"""
            SELECT n.nspname FROM pg_namespace n
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
              AND n.nspname NOT LIKE 'pg\_temp%'
              AND ({NotMember("pg_namespace", "n.oid")}
                   OR EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                              AND {NotMember("pg_class", "c.oid")})
                   OR EXISTS (SELECT 1 FROM pg_proc p WHERE p.pronamespace = n.oid AND {NotMember("pg_proc", "p.oid")}))
            ORDER BY n.nspname
            """, null, r => r.GetString(0), ct);

    /// <summary>The names of every object that lives in a schema (anything a statement can write as schema.name).</summary>
    public static async Task<HashSet<string>> SchemaObjectNamesAsync(NpgsqlConnection conn, string schema, CancellationToken ct) =>
        (await QueryAsync(conn, SchemaObjectNames, [schema], r => r.GetString(0), ct)).ToHashSet(StringComparer.Ordinal);

    /// <summary>Whether the schema named $1 exists: one parameter, one boolean.</summary>
    internal const string SchemaExists = "SELECT EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = $1)";

    /// <summary>
    /// Names of the objects in the schema named by $1 (an array of one name): those a clone of the schema makes there. An
    /// extension's objects (citext, gin_trgm_ops) are not among them: they stay where the extension is, so a clone under
    /// another name must keep naming them in the source schema.
    /// </summary>
    internal static readonly string SchemaObjectNames =
        "WITH s AS (SELECT oid FROM pg_namespace WHERE nspname = ANY($1))\n" + string.Join("\nUNION ", new[]
        {
            ("relname", "pg_class", "relnamespace"), ("typname", "pg_type", "typnamespace"), ("proname", "pg_proc", "pronamespace"),
            ("collname", "pg_collation", "collnamespace"), ("conname", "pg_conversion", "connamespace"), ("opcname", "pg_opclass", "opcnamespace"),
            ("opfname", "pg_opfamily", "opfnamespace"), ("stxname", "pg_statistic_ext", "stxnamespace"), ("cfgname", "pg_ts_config", "cfgnamespace"),
            ("dictname", "pg_ts_dict", "dictnamespace"), ("prsname", "pg_ts_parser", "prsnamespace"), ("tmplname", "pg_ts_template", "tmplnamespace"),
        }.Select(k => $"SELECT {k.Item1}::text FROM {k.Item2} o WHERE {k.Item3} IN (SELECT oid FROM s) AND {NotMember(k.Item2, "o.oid")}"));

    /// <param name="wholeDatabase">Also read the database-wide objects (access methods, event triggers, publications, foreign servers, ...).</param>
    /// <param name="helper">
    /// A second session reading in the same snapshot (search_path = pg_catalog), being opened: from the time it opens
    /// it takes the <see cref="SharedReads"/> (constraints, indexes, dependencies, privileges, owners, the other object
    /// kinds), heaviest first, beside the main session's.
    /// </param>
    /// <param name="extensions">The database's extensions, as <see cref="ReadExtensionsAsync"/> read them in this snapshot.</param>
    public static async Task<SourceCatalog> ReadAsync(NpgsqlConnection conn, IReadOnlyList<string> schemas, IReadOnlyList<ExtensionInfo> extensions,
        bool wholeDatabase, CancellationToken ct, Task<NpgsqlConnection>? helper = null)
    {
        var names = schemas.ToArray();
        var shared = new SharedReads(names, wholeDatabase);
        var beside = helper is null ? null : ReadOnHelperAsync(helper, shared, ct);
        try
        {
            var catalog = await ReadMainAsync(conn, names, extensions, wholeDatabase, ct);
            await shared.ReadAsync(conn, ct);
            if (beside is not null)
            {
                await beside;
                // A read the helper failed is back in the queue.
                await shared.ReadAsync(conn, ct);
            }
            return shared.Into(catalog);
        }
        catch when (beside is not null && !beside.IsCompleted)
        {
            // The helper's reads must be over before its session is closed: wait for the one it is on, whatever it gives.
            shared.Abandon();
            try { await beside; }
            catch (Exception) { /* the main reads' failure is the one reported */ }
            throw;
        }
    }

    /// <summary>
    /// The reads left out of <see cref="ReadMainAsync"/>, each taken by the first session free for it: the helper from
    /// the time it opens, the main session once its own reads are done. With a fixed share, one session sat idle while
    /// the other read on (300 tiny tables: the main session's reads were over 0.11 s before the helper's).
    /// </summary>
    private sealed class SharedReads
    {
        private readonly ConcurrentQueue<Func<NpgsqlConnection, CancellationToken, Task<Func<SourceCatalog, SourceCatalog>>>> _reads;
        private readonly ConcurrentQueue<Func<SourceCatalog, SourceCatalog>> _results = [];

        public SharedReads(string[] names, bool wholeDatabase) =>
            // The slowest first, so that the last one taken is short.
            _reads = new([
                Read((c, ct) => ReadConstraintsAsync(c, names, ct), (s, v) => s with { Constraints = v }),
                Read((c, ct) => ReadIndexesAsync(c, names, ct), (s, v) => s with { Indexes = v }),
                Read((c, ct) => ReadDependenciesAsync(c, names, ct), (s, v) => s with { Dependencies = v }),
                Read((c, ct) => ReadExtensionAclsAsync(c, ct), (s, v) => s with { ExtensionAcls = v }),
                Read((c, ct) => ReadPrivilegesAsync(c, names, ct), (s, v) => s with { Privileges = v }),
                Read((c, ct) => ReadOwnersAsync(c, names, ct), (s, v) => s with
                {
                    Owners = v.ToDictionary(x => x.Key, x => x.Owner),
                    OwnersWithoutCreate = v.Where(x => !x.MayCreate).Select(x => x.Key).ToHashSet(),
                }),
                Read(async (c, ct) => wholeDatabase ? await ReadDatabaseObjectsAsync(c, ct) : new DatabaseObjects { DefaultPrivileges = await ReadDefaultPrivilegesAsync(c, names, ct) },
                    (s, v) => s with { Database = v }),
                Read((c, ct) => ReadStatisticsAsync(c, names, ct), (s, v) => s with { Statistics = v }),
                Read((c, ct) => ReadExtensionDictionariesAsync(c, ct), (s, v) => s with { ExtensionDictionaries = v }),
                Read((c, ct) => ReadExtensionConfigsAsync(c, ct), (s, v) => s with { ExtensionConfigs = v }),
                Read((c, ct) => ReadExtensionDependentsAsync(c, ct), (s, v) => s with { ExtensionDependents = v }),
                Read((c, ct) => ReadUnsupportedAsync(c, names, ct), (s, v) => s with { Unsupported = v }),
                Read((c, ct) => ReadAggregatesAsync(c, names, ct), (s, v) => s with { Aggregates = v }),
                Read((c, ct) => ReadOperatorsAsync(c, names, ct), (s, v) => s with { Operators = v }),
                Read((c, ct) => ReadOperatorFamiliesAsync(c, names, ct), (s, v) => s with { OperatorFamilies = v }),
                Read((c, ct) => ReadOperatorClassesAsync(c, names, ct), (s, v) => s with { OperatorClasses = v }),
                Read((c, ct) => ReadTextSearchParsersAsync(c, names, ct), (s, v) => s with { TextSearchParsers = v }),
                Read((c, ct) => ReadTextSearchTemplatesAsync(c, names, ct), (s, v) => s with { TextSearchTemplates = v }),
                Read((c, ct) => ReadTextSearchDictionariesAsync(c, names, ct), (s, v) => s with { TextSearchDictionaries = v }),
                Read((c, ct) => ReadTextSearchConfigsAsync(c, names, ct), (s, v) => s with { TextSearchConfigs = v }),
                Read((c, ct) => ReadCastsAsync(c, names, wholeDatabase, ct), (s, v) => s with { Casts = v }),
                Read((c, ct) => ReadLanguagesAsync(c, names, wholeDatabase, ct), (s, v) => s with { Languages = v }),
                Read((c, ct) => ReadTransformsAsync(c, names, wholeDatabase, ct), (s, v) => s with { Transforms = v }),
                Read((c, ct) => ReadConversionsAsync(c, names, ct), (s, v) => s with { Conversions = v }),
                Read((c, ct) => ReadRulesAsync(c, names, ct), (s, v) => s with { Rules = v }),
                Read((c, ct) => ReadForeignTablesAsync(c, names, ct), (s, v) => s with { ForeignTables = v }),
            ]);

        /// <summary>A read, and how its result goes into the catalog.</summary>
        private static Func<NpgsqlConnection, CancellationToken, Task<Func<SourceCatalog, SourceCatalog>>> Read<T>(
            Func<NpgsqlConnection, CancellationToken, Task<T>> read, Func<SourceCatalog, T, SourceCatalog> into) =>
            async (conn, ct) =>
            {
                var value = await read(conn, ct);
                return catalog => into(catalog, value);
            };

        /// <summary>Reads on <paramref name="conn"/> until none is left to take.</summary>
        /// <param name="beside">
        /// On the helper, which stops at its first failure and puts that read back for the main session: the helper is
        /// only there to save time (its session lost, or a read refused, the main session reads it again, and its own
        /// failure is the run's).
        /// </param>
        public async Task ReadAsync(NpgsqlConnection conn, CancellationToken ct, bool beside = false)
        {
            while (_reads.TryDequeue(out var read))
            {
                try { _results.Enqueue(await read(conn, ct)); }
                catch (Exception e) when (beside && (e is NpgsqlException or PgCloneException) && !ct.IsCancellationRequested)
                {
                    _reads.Enqueue(read);
                    return;
                }
            }
        }

        /// <summary>Leaves the reads not yet taken.</summary>
        public void Abandon() => _reads.Clear();

        public SourceCatalog Into(SourceCatalog catalog) => _results.Aggregate(catalog, (c, into) => into(c));
    }

    /// <summary>The shared reads on the helper; none when it could not open (then the main session reads them all).</summary>
    private static async Task ReadOnHelperAsync(Task<NpgsqlConnection> helper, SharedReads shared, CancellationToken ct)
    {
        NpgsqlConnection conn;
        try { conn = await helper; }
        catch (PgCloneException) { return; }
        await shared.ReadAsync(conn, ct, beside: true);
    }

    private static async Task<List<(ObjectKey Key, string Owner, bool MayCreate)>> ReadOwnersAsync(NpgsqlConnection conn, string[] schemas, CancellationToken ct) =>
        await QueryAsync(conn, """
            SELECT 'r:' || c.oid, pg_get_userbyid(c.relowner), has_schema_privilege(c.relowner, n.oid, 'CREATE')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY($1)
            UNION ALL SELECT 't:' || t.oid, pg_get_userbyid(t.typowner), has_schema_privilege(t.typowner, n.oid, 'CREATE')
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ANY($1)
            UNION ALL SELECT 'f:' || p.oid, pg_get_userbyid(p.proowner), has_schema_privilege(p.proowner, n.oid, 'CREATE')
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)
            UNION ALL SELECT 'n:' || n.oid, pg_get_userbyid(n.nspowner), true FROM pg_namespace n WHERE n.nspname = ANY($1)
            """, schemas, r => (ObjectKey.Parse(r.GetString(0)), r.GetString(1), r.GetBoolean(2)), ct);

    /// <summary>The database's extensions but plpgsql (which every database has), by name.</summary>
    public static async Task<List<ExtensionInfo>> ReadExtensionsAsync(NpgsqlConnection conn, CancellationToken ct) =>
        await QueryAsync(conn, """
            SELECT e.extname, n.nspname, e.extversion,
                   ARRAY(SELECT r.extname FROM pg_depend d JOIN pg_extension r ON r.oid = d.refobjid
                         WHERE d.classid = 'pg_extension'::regclass AND d.objid = e.oid AND d.refclassid = 'pg_extension'::regclass
                           AND d.deptype = 'n' AND r.extname <> 'plpgsql' ORDER BY r.extname),
                   t.names, t.states
            FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            CROSS JOIN LATERAL (
                SELECT coalesce(array_agg(g.evtname::text ORDER BY g.evtname), '{}'), coalesce(array_agg(g.evtenabled::text ORDER BY g.evtname), '{}')
                FROM pg_depend d JOIN pg_event_trigger g ON g.oid = d.objid
                WHERE d.classid = 'pg_event_trigger'::regclass AND d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid AND d.deptype = 'e'
            ) t (names, states)
            WHERE e.extname <> 'plpgsql' ORDER BY e.extname
            """, null, r => new ExtensionInfo(r.GetString(0), r.GetString(1), r.GetString(2))
            {
                Requires = r.GetFieldValue<string[]>(3),
                EventTriggers = [.. r.GetFieldValue<string[]>(4).Zip(r.GetFieldValue<string[]>(5), (name, enabled) => new ExtensionEventTrigger(name, enabled[0]))],
            }, ct);

    /// <summary>Everything but the <see cref="CatalogPart"/>, which it leaves empty.</summary>
    private static async Task<SourceCatalog> ReadMainAsync(NpgsqlConnection conn, string[] names, IReadOnlyList<ExtensionInfo> extensions, bool wholeDatabase, CancellationToken ct)
    {
        var attributes = await ReadAttributesAsync(conn, names, ct);
        var inRecovery = (await QueryAsync(conn, "SELECT pg_is_in_recovery()", null, r => r.GetBoolean(0), ct))[0];
        var sequences = await ReadSequencesAsync(conn, names, inRecovery, ct);
        return new SourceCatalog
        {
            InRecovery = inRecovery,
            // A database clone leaves the schemas extensions made to CREATE EXTENSION (with their owner and grants).
            Schemas = await QueryAsync(conn, $"""
                SELECT n.oid, n.nspname, {Comment("pg_namespace", "n.oid")} FROM pg_namespace n
                WHERE n.nspname = ANY($1) {(wholeDatabase ? "AND " + NotMember("pg_namespace", "n.oid") : "")} ORDER BY n.nspname
                """, names, r => new SchemaInfo(r.GetFieldValue<uint>(0), r.GetString(1), Str(r, 2)), ct),
            Extensions = extensions,
            ExtensionUses = await ReadExtensionUsesAsync(conn, names, ct),
            ExtensionFunctions = wholeDatabase ? [] : await ReadExtensionFunctionsAsync(conn, ct),
            Collations = await QueryAsync(conn, $"""
                SELECT co.oid, n.nspname, co.collname, co.collprovider, co.collisdeterministic, co.collcollate, co.collctype, co.colliculocale,
                       {Comment("pg_collation", "co.oid")}, pg_get_userbyid(co.collowner)
                FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
                WHERE n.nspname = ANY($1) AND {NotMember("pg_collation", "co.oid")} ORDER BY n.nspname, co.collname
                """, names, r => new CollationInfo(r.GetFieldValue<uint>(0), Name(r, 1), r.GetChar(3), r.GetBoolean(4), Str(r, 5), Str(r, 6), Str(r, 7), Str(r, 8)) { Owner = r.GetString(9) }, ct),
            Types = await ReadTypesAsync(conn, names, attributes, ct),
            Sequences = sequences,
            Tables = await ReadTablesAsync(conn, names, attributes, ct),
            Constraints = [],
            Indexes = [],
            Views = await ReadViewsAsync(conn, names, attributes, ct),
            Functions = await ReadFunctionsAsync(conn, names, ct),
            Triggers = await ReadTriggersAsync(conn, names, ct),
            Policies = await ReadPoliciesAsync(conn, names, ct),
            Statistics = [],
            Unsupported = [],
            Owners = new Dictionary<ObjectKey, string>(),
            Dependencies = [],
            Privileges = [],
            PartitionsElsewhere = wholeDatabase ? [] : await QueryAsync(conn, """
                SELECT pn.nspname, p.relname, cn.nspname, c.relname
                FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
                JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
                WHERE c.relispartition AND pn.nspname = ANY($1) AND cn.nspname <> ALL($1)
                ORDER BY 1, 2, 3, 4
                """, names, r => (new QualifiedName(r.GetString(0), r.GetString(1)), new QualifiedName(r.GetString(2), r.GetString(3))), ct),
        };
    }

    internal static async Task<List<T>> QueryAsync<T>(NpgsqlConnection conn, string sql, string[]? schemas, Func<NpgsqlDataReader, T> map, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (schemas is not null) cmd.Parameters.Add(new NpgsqlParameter { Value = schemas });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct)) rows.Add(map(reader));
        return rows;
    }

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static uint Oid(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? 0 : r.GetFieldValue<uint>(i);
    private static int[] Shorts(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? [] : r.GetFieldValue<short[]>(i).Select(s => (int)s).ToArray();
    private static string[] Strings(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? [] : r.GetFieldValue<string[]>(i);

    /// <summary>"schema"."name" from two columns (a collation, an operator class), or null when the schema column is null.</summary>
    private static string? Collation(NpgsqlDataReader r, int schemaColumn) =>
        r.IsDBNull(schemaColumn) ? null : Sql.Qualified(r.GetString(schemaColumn), r.GetString(schemaColumn + 1));

    private static QualifiedName Name(NpgsqlDataReader r, int schemaColumn) => new(r.GetString(schemaColumn), r.GetString(schemaColumn + 1));
}
