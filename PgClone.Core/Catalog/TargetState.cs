using Npgsql;
using PgClone.Core.Connections;

namespace PgClone.Core.Catalog;

/// <summary>A relation that already exists on the target, with what depends on its name (indexes, owned sequences).</summary>
public sealed record TargetRelation(QualifiedName Name, char Kind, IReadOnlyList<string> Indexes, IReadOnlyList<string> OwnedSequences)
{
    /// <summary>Its columns, in order: conflict=replace names those the source's table lacks, whose rows it drops.</summary>
    public IReadOnlyList<string> Columns { get; init; } = [];
    /// <summary>Whether it belongs to an extension (the source's catalog leaves those out: they are not the target's own).</summary>
    public bool ExtensionMember { get; init; }
}

/// <summary>
/// A default ACL (ALTER DEFAULT PRIVILEGES) the target holds for the cloning user, who creates the objects: for one
/// object type ('r' relations, 'S' sequences, 'f' routines, 'T' types, 'n' schemas), everywhere (Schema null) or in one
/// schema; Grantees are the roles besides that user it names (null = PUBLIC).
/// </summary>
public sealed record CreatorDefaultAcl(char ObjectType, string? Schema, IReadOnlyList<string?> Grantees);

/// <summary>
/// An object DROP ... CASCADE would take along (<see cref="TargetState.DroppedAlongAsync"/>): its description, its
/// schema, its kind (pg_identify_object's type: "view", "function", ...), whether it holds rows, and whether it is
/// attached to a relation that stays.
/// </summary>
public sealed record DroppedAlong(string Description, string? Schema, string Kind, bool HoldsData, bool AttachedToKept)
{
    /// <summary>The relation's name, when it is a whole relation (not a column of one).</summary>
    public QualifiedName? Relation { get; init; }
}

/// <summary>What already exists on the target in the schemas a plan touches: read once, before anything changes.</summary>
public sealed record TargetState(
    IReadOnlySet<string> Schemas,
    IReadOnlyDictionary<QualifiedName, TargetRelation> Relations,
    IReadOnlyDictionary<QualifiedName, char> Types,
    IReadOnlySet<QualifiedName> Collations,
    IReadOnlySet<string> Functions,
    IReadOnlySet<string> AvailableExtensions,
    IReadOnlySet<string> InstalledExtensions,
    IReadOnlySet<string> Roles,
    string CurrentUser)
{
    /// <summary>The target database's name, for ALTER DATABASE statements.</summary>
    public string CurrentDatabase { get; init; } = "";
    /// <summary>Whether the cloning user is a superuser on the target (see <c>PlanScope.NeedingSuperuser</c> for what else cannot be created).</summary>
    public bool IsSuperuser { get; init; }
    /// <summary>Whether the cloning user owns the target database (or is a member of its owner): ALTER DATABASE ... SET needs it.</summary>
    public bool OwnsDatabase { get; init; }
    /// <summary>Whether the cloning user has CREATEROLE: another role's ALTER ROLE ... IN DATABASE ... SET needs it (a superuser role's, a superuser).</summary>
    public bool CreatesRoles { get; init; }
    /// <summary>The target's superuser roles.</summary>
    public IReadOnlySet<string> SuperuserRoles { get; init; } = new HashSet<string>();
    /// <summary>For a cloning user who is not a superuser, the parameters of superuser context it holds no SET privilege on.</summary>
    public IReadOnlySet<string> UnsettableParameters { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>For a cloning user who is not a superuser, the extensions it may create (trusted ones); empty for a superuser, who may create any.</summary>
    public IReadOnlySet<string> TrustedExtensions { get; init; } = new HashSet<string>();
    /// <summary>The roles the cloning user can SET ROLE to (all of them for a superuser), to grant as another grantor.</summary>
    public IReadOnlySet<string> AssumableRoles { get; init; } = new HashSet<string>();

    /// <summary>The target database's access methods: a table or materialized view USING one the target lacks cannot be created.</summary>
    public IReadOnlySet<string> AccessMethods { get; init; } = new HashSet<string>();
    /// <summary>The target database's foreign servers: a foreign table on one the target lacks cannot be created.</summary>
    public IReadOnlySet<string> ForeignServers { get; init; } = new HashSet<string>();
    /// <summary>The target server's tablespaces: a table, index or materialized view goes into the one of its source's name.</summary>
    public IReadOnlySet<string> Tablespaces { get; init; } = new HashSet<string>();
    /// <summary>The version CREATE EXTENSION installs without VERSION, by extension.</summary>
    public IReadOnlyDictionary<string, string> DefaultExtensionVersions { get; init; } = new Dictionary<string, string>();
    /// <summary>The versions the target can install of the extensions the source has at another version than that default.</summary>
    public IReadOnlySet<(string Name, string Version)> ExtensionVersions { get; init; } = new HashSet<(string, string)>();
    /// <summary>The target's default ACLs for the cloning user: objects it creates get them, not the built-in defaults the source's privileges are stated from.</summary>
    public IReadOnlyList<CreatorDefaultAcl> CreatorDefaults { get; init; } = [];
    /// <summary>The multirange type of each range type of the schemas (its name goes with the range's: a range moved aside takes it along).</summary>
    public IReadOnlyDictionary<QualifiedName, QualifiedName> Multiranges { get; init; } = new Dictionary<QualifiedName, QualifiedName>();
    /// <summary>The target's objects of the kinds without a catalog of their own here (operators, text search objects, casts, ...): (kind, name as the plan names it).</summary>
    public IReadOnlySet<(string Kind, string Name)> KindObjects { get; init; } = new HashSet<(string, string)>();
    /// <summary>The owners of the schemas that exist on the target (public, in a new database: pg_database_owner).</summary>
    public IReadOnlyDictionary<string, string> SchemaOwners { get; init; } = new Dictionary<string, string>();
    /// <summary>Per schema that exists on the target, the roles with CREATE on it (a new owner of an object in it needs that, unless a superuser gives it).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>> SchemaCreators { get; init; } = new Dictionary<string, IReadOnlySet<string>>();

    /// <summary>
    /// Why the cloning user cannot act as a role on the target — give it an object (ALTER ... OWNER TO), set its
    /// default privileges (FOR ROLE) or grant as it (SET ROLE), which all need its membership or a superuser —; null
    /// when it can.
    /// </summary>
    public string? CannotActAs(string role) =>
        !Roles.Contains(role) ? "is not on the target"
        : AssumableRoles.Contains(role) ? null
        : $"is on the target, but {Sql.Ident(CurrentUser)} is not a member of it";

    /// <summary>
    /// Why the cloning user cannot store a setting of the database (<paramref name="role"/> null) or of a role in it;
    /// null when it can.
    /// </summary>
    public string? CannotSet(string? role, string parameter)
    {
        if (IsSuperuser) return null;
        var user = Sql.Ident(CurrentUser);
        if (role is null && !OwnsDatabase) return $"only the database's owner or a superuser can set it, and {user} is neither";
        if (role is not null && role != CurrentUser && (SuperuserRoles.Contains(role) || !CreatesRoles))
            return $"only a superuser{(SuperuserRoles.Contains(role) ? "" : " or a role with CREATEROLE")} can set it for another role, and {user} is not one";
        return UnsettableParameters.Contains(parameter) ? $"only a superuser, or a role granted SET on {parameter}, can set it, and {user} is neither" : null;
    }

    /// <param name="extensions">The source's extensions: for one at another version than the target's default, the
    /// versions the target can install are read (pg_available_extension_versions reads every control file: 8-12 ms).</param>
    public static async Task<TargetState> ReadAsync(NpgsqlConnection conn, IReadOnlyList<string> schemas, CancellationToken ct,
        IReadOnlyList<ExtensionInfo>? extensions = null)
    {
        var names = schemas.ToArray();
        // Same search_path as the source side, so function signatures print the same way on both servers.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using (var set = new NpgsqlCommand(CatalogReader.ReadSettings, conn)) await set.ExecuteNonQueryAsync(ct);
        var existingSchemas = await CatalogReader.QueryAsync(conn, """
            SELECT nspname, pg_get_userbyid(nspowner)::text, ARRAY(SELECT r.rolname::text FROM pg_roles r WHERE has_schema_privilege(r.oid, n.oid, 'CREATE'))
            FROM pg_namespace n WHERE nspname = ANY($1)
            """, names, r => (Name: r.GetString(0), Owner: r.GetString(1), Creators: r.GetFieldValue<string[]>(2)), ct);
        var relations = await CatalogReader.QueryAsync(conn, """
            SELECT n.nspname, c.relname, c.relkind,
                   ARRAY(SELECT ic.relname::text FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid ORDER BY 1),
                   ARRAY(SELECT s.relname::text FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
                         WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid
                           AND d.deptype IN ('a', 'i') AND s.relkind = 'S' ORDER BY 1),
                   ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                   EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY($1)
            """, names, r => new TargetRelation(new QualifiedName(r.GetString(0), r.GetString(1)), r.GetChar(2),
                r.GetFieldValue<string[]>(3), r.GetFieldValue<string[]>(4)) { Columns = r.GetFieldValue<string[]>(5), ExtensionMember = r.GetBoolean(6) }, ct);
        var types = await CatalogReader.QueryAsync(conn, """
            SELECT n.nspname, t.typname, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = ANY($1)
            """, names, r => (Name: new QualifiedName(r.GetString(0), r.GetString(1)), Kind: r.GetChar(2)), ct);
        var functions = await CatalogReader.QueryAsync(conn, """
            SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ANY($1)
            """, names, r => FunctionInfo.SignatureOf(new QualifiedName(r.GetString(0), r.GetString(1)), r.GetString(2)), ct);
        var collations = await CatalogReader.QueryAsync(conn, """
            SELECT n.nspname, c.collname FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace WHERE n.nspname = ANY($1)
            """, names, r => new QualifiedName(r.GetString(0), r.GetString(1)), ct);
        var kindObjects = await CatalogReader.QueryAsync(conn, KindObjectsSql, names, r => (r.GetString(0), r.GetString(1)), ct);
        var multiranges = await CatalogReader.QueryAsync(conn, """
            SELECT n.nspname, t.typname, mn.nspname, m.typname FROM pg_range r
            JOIN pg_type t ON t.oid = r.rngtypid JOIN pg_namespace n ON n.oid = t.typnamespace
            JOIN pg_type m ON m.oid = r.rngmultitypid JOIN pg_namespace mn ON mn.oid = m.typnamespace
            WHERE n.nspname = ANY($1)
            """, names, r => (new QualifiedName(r.GetString(0), r.GetString(1)), new QualifiedName(r.GetString(2), r.GetString(3))), ct);
        var available = (await CatalogReader.QueryAsync(conn, "SELECT name, default_version FROM pg_available_extensions", null,
            r => (Name: r.GetString(0), Default: r.IsDBNull(1) ? "" : r.GetString(1)), ct)).ToDictionary(a => a.Name, a => a.Default);
        var otherVersions = (extensions ?? []).Where(e => available.TryGetValue(e.Name, out var v) && v != e.Version).Select(e => e.Name).ToArray();
        var versions = otherVersions.Length == 0 ? [] : await CatalogReader.QueryAsync(conn,
            "SELECT name, version FROM pg_available_extension_versions WHERE name = ANY($1)", otherVersions, r => (r.GetString(0), r.GetString(1)), ct);
        var installed = await CatalogReader.QueryAsync(conn, "SELECT extname FROM pg_extension", null, r => r.GetString(0), ct);
        var roles = await CatalogReader.QueryAsync(conn, "SELECT rolname FROM pg_roles", null, r => r.GetString(0), ct);
        var assumable = await CatalogReader.QueryAsync(conn, "SELECT rolname FROM pg_roles WHERE pg_has_role(current_user, oid, 'MEMBER')", null, r => r.GetString(0), ct);
        var tablespaces = await CatalogReader.QueryAsync(conn, "SELECT spcname FROM pg_tablespace", null, r => r.GetString(0), ct);
        var accessMethods = await CatalogReader.QueryAsync(conn, "SELECT amname FROM pg_am", null, r => r.GetString(0), ct);
        var servers = await CatalogReader.QueryAsync(conn, "SELECT srvname FROM pg_foreign_server", null, r => r.GetString(0), ct);
        var (currentUser, superuser, createRole, ownsDatabase) = (await CatalogReader.QueryAsync(conn, """
            SELECT current_user::text, rolsuper, rolcreaterole,
                   (SELECT pg_has_role(datdba, 'MEMBER') FROM pg_database WHERE datname = current_database())
            FROM pg_roles WHERE rolname = current_user
            """, null, r => (r.GetString(0), r.GetBoolean(1), r.GetBoolean(2), r.GetBoolean(3)), ct))[0];
        var superusers = await CatalogReader.QueryAsync(conn, "SELECT rolname FROM pg_roles WHERE rolsuper", null, r => r.GetString(0), ct);
        var creatorDefaults = await CatalogReader.QueryAsync(conn, """
            SELECT d.defaclobjtype, n.nspname,
                   ARRAY(SELECT DISTINCT pg_get_userbyid(NULLIF(a.grantee, 0))::text FROM aclexplode(d.defaclacl) a WHERE a.grantee <> d.defaclrole)
            FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace
            WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            """, null, r => new CreatorDefaultAcl(r.GetChar(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetFieldValue<string?[]>(2)), ct);
        // GRANT SET ON PARAMETER came with PostgreSQL 15; before it only a superuser sets those.
        var unsettable = superuser ? [] : await CatalogReader.QueryAsync(conn, "SELECT name FROM pg_settings WHERE context = 'superuser'" +
            (conn.PostgreSqlVersion.Major >= 15 ? " AND NOT has_parameter_privilege(name, 'SET')" : ""), null, r => r.GetString(0), ct);
        var currentDatabase = (await CatalogReader.QueryAsync(conn, "SELECT current_database()::text", null, r => r.GetString(0), ct))[0];
        var trusted = superuser ? [] : await CatalogReader.QueryAsync(conn, "SELECT DISTINCT name FROM pg_available_extension_versions WHERE trusted", null, r => r.GetString(0), ct);
        await tx.CommitAsync(ct);
        return new TargetState(existingSchemas.Select(x => x.Name).ToHashSet(), relations.ToDictionary(r => r.Name),
            types.ToDictionary(t => t.Name, t => t.Kind), collations.ToHashSet(), functions.ToHashSet(), available.Keys.ToHashSet(), installed.ToHashSet(),
            roles.ToHashSet(), currentUser)
        {
            CurrentDatabase = currentDatabase, IsSuperuser = superuser, OwnsDatabase = ownsDatabase, CreatesRoles = createRole,
            SuperuserRoles = superusers.ToHashSet(), UnsettableParameters = unsettable.ToHashSet(StringComparer.OrdinalIgnoreCase),
            TrustedExtensions = trusted.ToHashSet(), AssumableRoles = assumable.ToHashSet(), SchemaOwners = existingSchemas.ToDictionary(x => x.Name, x => x.Owner),
            SchemaCreators = existingSchemas.ToDictionary(x => x.Name, x => (IReadOnlySet<string>)x.Creators.ToHashSet()), CreatorDefaults = creatorDefaults,
            Tablespaces = tablespaces.ToHashSet(), AccessMethods = accessMethods.ToHashSet(), ForeignServers = servers.ToHashSet(),
            DefaultExtensionVersions = available, ExtensionVersions = versions.ToHashSet(), KindObjects = kindObjects.ToHashSet(),
            Multiranges = multiranges.ToDictionary(m => m.Item1, m => m.Item2),
        };
    }

    /// <summary>"schema" quoted as <see cref="Sql.Ident"/> quotes it, in SQL.</summary>
    private static string Quoted(string column) => $"('\"' || replace({column}, '\"', '\"\"') || '\"')";

    /// <summary>
    /// The operators, operator families and classes, conversions, text search objects of the schemas, and the casts of
    /// their types, named as the plan names the objects it creates of those kinds (<see cref="Ddl.KindObject"/>).
    /// </summary>
    private static readonly string KindObjectsSql = $"""
        SELECT 'operator', {Quoted("n.nspname")} || '.' || o.oprname || ' (' || coalesce(format_type(o.oprleft, NULL), 'NONE') || ', '
               || coalesce(format_type(o.oprright, NULL), 'NONE') || ')'
        FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace WHERE n.nspname = ANY($1)
        UNION ALL SELECT 'operator family', {Quoted("n.nspname")} || '.' || {Quoted("f.opfname")} || ' USING ' || {Quoted("a.amname")}
        FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace JOIN pg_am a ON a.oid = f.opfmethod WHERE n.nspname = ANY($1)
        UNION ALL SELECT 'operator class', {Quoted("n.nspname")} || '.' || {Quoted("c.opcname")} || ' USING ' || {Quoted("a.amname")}
        FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace JOIN pg_am a ON a.oid = c.opcmethod WHERE n.nspname = ANY($1)
        UNION ALL SELECT 'conversion', {Quoted("n.nspname")} || '.' || {Quoted("c.conname")} FROM pg_conversion c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = ANY($1)
        UNION ALL SELECT 'text search dictionary', {Quoted("n.nspname")} || '.' || {Quoted("d.dictname")} FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace WHERE n.nspname = ANY($1)
        UNION ALL SELECT 'text search configuration', {Quoted("n.nspname")} || '.' || {Quoted("c.cfgname")} FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace WHERE n.nspname = ANY($1)
        UNION ALL SELECT 'text search template', {Quoted("n.nspname")} || '.' || {Quoted("t.tmplname")} FROM pg_ts_template t JOIN pg_namespace n ON n.oid = t.tmplnamespace WHERE n.nspname = ANY($1)
        UNION ALL SELECT 'text search parser', {Quoted("n.nspname")} || '.' || {Quoted("p.prsname")} FROM pg_ts_parser p JOIN pg_namespace n ON n.oid = p.prsnamespace WHERE n.nspname = ANY($1)
        UNION ALL SELECT 'cast', '(' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')'
        FROM pg_cast c WHERE EXISTS (SELECT FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid IN (c.castsource, c.casttarget) AND n.nspname = ANY($1))
        """;

    /// <summary>
    /// The libraries (as pg_proc.probin names them) that are not on the target server, looked up in its package
    /// library directory. Needs the right to read server files (superuser, or pg_read_server_files): without it
    /// nothing can be told, and none is reported missing.
    /// </summary>
    public static Task<IReadOnlySet<string>> MissingLibrariesAsync(NpgsqlConnection conn, IReadOnlyCollection<string> libraries, CancellationToken ct) =>
        MissingFilesAsync(conn, libraries, """
            pg_catalog.replace(CASE WHEN f LIKE '%/%' THEN f ELSE '$libdir/' || f END, '$libdir', (SELECT setting FROM pg_catalog.pg_config WHERE name = 'PKGLIBDIR'))
            || CASE WHEN f LIKE '%.so' THEN '' ELSE '.so' END
            """, ct);

    /// <summary>
    /// The text search files ("english.stop", "my_synonyms.syn") that are not in the target server's tsearch_data
    /// directory, where a dictionary's CREATE reads them; told as <see cref="MissingLibrariesAsync"/> is.
    /// </summary>
    public static Task<IReadOnlySet<string>> MissingTextSearchFilesAsync(NpgsqlConnection conn, IReadOnlyCollection<string> files, CancellationToken ct) =>
        MissingFilesAsync(conn, files, "(SELECT setting FROM pg_catalog.pg_config WHERE name = 'SHAREDIR') || '/tsearch_data/' || f", ct);

    /// <summary>Of <paramref name="names"/>, those whose server file (<paramref name="path"/>, an expression of the name f) does not exist.</summary>
    private static async Task<IReadOnlySet<string>> MissingFilesAsync(NpgsqlConnection conn, IReadOnlyCollection<string> names, string path, CancellationToken ct)
    {
        if (names.Count == 0) return new HashSet<string>();
        try
        {
            var missing = await CatalogReader.QueryAsync(conn, $"SELECT f FROM unnest($1::text[]) AS f WHERE pg_catalog.pg_stat_file({path}, true) IS NULL",
                [.. names], r => r.GetString(0), ct);
            return missing.ToHashSet();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege) { return new HashSet<string>(); }
    }

    /// <summary>
    /// Of <paramref name="names"/>, those the target's database cannot hold as they are: longer than the 63 bytes
    /// PostgreSQL keeps of a name, in its encoding (with their length), or holding a character it has no equivalent
    /// for (a null length; each is then looked up alone, as the server fails the whole list for one).
    /// </summary>
    public static async Task<IReadOnlyList<(string Name, int? Bytes)>> NamesNotHeldAsync(NpgsqlConnection conn, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        if (names.Count == 0) return [];
        try { return await LongerThanNamesAsync(conn, names, ct); }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UntranslatableCharacter)
        {
            var found = new List<(string, int?)>();
            foreach (var name in names)
            {
                try { found.AddRange(await LongerThanNamesAsync(conn, [name], ct)); }
                catch (PostgresException one) when (one.SqlState == PostgresErrorCodes.UntranslatableCharacter) { found.Add((name, null)); }
            }
            return found;
        }
    }

    private static Task<List<(string, int?)>> LongerThanNamesAsync(NpgsqlConnection conn, IReadOnlyCollection<string> names, CancellationToken ct) =>
        CatalogReader.QueryAsync(conn, "SELECT n, pg_catalog.octet_length(n) FROM unnest($1::text[]) AS n WHERE pg_catalog.octet_length(n) > 63",
            [.. names], r => (r.GetString(0), (int?)r.GetInt32(1)), ct);

    /// <summary>
    /// Of the names reg* values hold (<see cref="ValueNamedObject"/>: type and name), those that name nothing on the
    /// target: each read back as its type would read it when its row loads.
    /// </summary>
    public static async Task<IReadOnlySet<(string Type, string Name)>> UnresolvedNamesAsync(NpgsqlConnection conn,
        IReadOnlyCollection<(string Type, string Name)> names, CancellationToken ct)
    {
        if (names.Count == 0) return new HashSet<(string, string)>();
        try { return (await UnresolvedAsync(conn, names, ct)).ToHashSet(); }
        catch (PostgresException e) when (NamesMissing(e))
        {
            // PostgreSQL 15's to_regprocedure and to_regoperator raise "type ... does not exist" or "schema ... does not
            // exist", rather than answer NULL, when an argument's type is missing: each name is then looked up alone,
            // and one that raises is missing.
            var missing = new HashSet<(string, string)>();
            foreach (var name in names)
            {
                try { missing.UnionWith(await UnresolvedAsync(conn, [name], ct)); }
                catch (PostgresException one) when (NamesMissing(one)) { missing.Add(name); }
            }
            return missing;
        }
    }

    /// <summary>
    /// What DROP ... CASCADE of <paramref name="dropped"/> (reg* type and name) would drop besides them and their own
    /// parts: the dependents of every kind (pg_depend's normal, automatic and internal links), then the whole of any
    /// object one of whose internal parts goes (a view with its rewrite rule). An object that belongs (automatically or
    /// internally) to one that goes is a part, unless it is a relation (a partition or a child table holds its own
    /// rows). Each is described as the server describes objects (<c>view b.v</c>, <c>column s of table b.keep</c>), with
    /// its schema and whether it holds data (a table, or a column of one that stays) or is attached to a relation that
    /// stays (its constraint, default, trigger, index, policy or rule).
    /// </summary>
    public static async Task<IReadOnlyList<DroppedAlong>> DroppedAlongAsync(NpgsqlConnection conn, IReadOnlyList<(string RegType, string Name)> dropped,
        CancellationToken ct)
    {
        if (dropped.Count == 0) return [];
        // A routine is found by its signature as the plan wrote it (FunctionInfo.SignatureOf), printed under the same settings.
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var set = new NpgsqlCommand(CatalogReader.ReadSettings, conn)) await set.ExecuteNonQueryAsync(ct);
        return await CatalogReader.QueryAsync(conn, """
            WITH RECURSIVE roots AS (
                SELECT CASE u.type WHEN 'regclass' THEN 'pg_catalog.pg_class'::pg_catalog.regclass WHEN 'regtype' THEN 'pg_catalog.pg_type'::pg_catalog.regclass
                                   ELSE 'pg_catalog.pg_proc'::pg_catalog.regclass END::pg_catalog.oid AS classid,
                       CASE u.type WHEN 'regclass' THEN pg_catalog.to_regclass(u.name)::pg_catalog.oid WHEN 'regtype' THEN pg_catalog.to_regtype(u.name)::pg_catalog.oid
                                   ELSE (SELECT p.oid FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
                                         WHERE n.nspname <> 'pg_catalog' AND u.name = '"' || pg_catalog.replace(n.nspname, '"', '""') || '"."'
                                               || pg_catalog.replace(p.proname, '"', '""') || '"(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')') END AS objid
                FROM (SELECT pg_catalog.split_part(x, ':', 1), pg_catalog.substr(x, pg_catalog.strpos(x, ':') + 1) FROM pg_catalog.unnest($1::pg_catalog.text[]) x) u (type, name)
            ), gone (classid, objid, objsubid) AS (
                SELECT classid, objid, 0 FROM roots WHERE objid IS NOT NULL
                UNION
                SELECT CASE WHEN f.forward THEN d.classid ELSE d.refclassid END, CASE WHEN f.forward THEN d.objid ELSE d.refobjid END,
                       CASE WHEN f.forward THEN d.objsubid ELSE 0 END
                FROM gone g JOIN pg_catalog.pg_depend d
                  ON d.refclassid = g.classid AND d.refobjid = g.objid AND (g.objsubid = 0 OR d.refobjsubid = g.objsubid) AND d.deptype IN ('n', 'a', 'i')
                  OR d.classid = g.classid AND d.objid = g.objid AND d.objsubid = g.objsubid AND d.deptype = 'i'
                CROSS JOIN LATERAL (SELECT d.refclassid = g.classid AND d.refobjid = g.objid) f (forward)
            ), described AS (
                SELECT g.*, c.relkind,
                       EXISTS (SELECT FROM pg_catalog.pg_depend d JOIN gone o ON (o.classid, o.objid) = (d.refclassid, d.refobjid) AND (o.objsubid = 0 OR o.objsubid = d.refobjsubid)
                               WHERE (d.classid, d.objid, d.objsubid) = (g.classid, g.objid, g.objsubid) AND d.deptype IN ('a', 'i')) AS part,
                       EXISTS (SELECT FROM pg_catalog.pg_depend d
                               WHERE (d.classid, d.objid, d.objsubid) = (g.classid, g.objid, g.objsubid) AND d.deptype = 'a'
                                 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
                                 AND NOT EXISTS (SELECT FROM gone o WHERE (o.classid, o.objid, o.objsubid) = (d.refclassid, d.refobjid, 0))) AS attached
                FROM gone g
                LEFT JOIN pg_catalog.pg_class c ON g.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = g.objid
                WHERE NOT EXISTS (SELECT FROM roots r WHERE (r.classid, r.objid) = (g.classid, g.objid))
            )
            SELECT pg_catalog.pg_describe_object(classid, objid, objsubid), (pg_catalog.pg_identify_object(classid, objid, objsubid)).schema,
                   (pg_catalog.pg_identify_object(classid, objid, objsubid)).type,
                   coalesce(objsubid = 0 AND relkind IN ('r', 'p', 'f') OR objsubid <> 0 AND relkind IS NOT NULL, false), attached,
                   (SELECT ARRAY[n.nspname::pg_catalog.text, c.relname::pg_catalog.text] FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE described.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND c.oid = described.objid AND described.objsubid = 0)
            FROM described
            WHERE NOT part OR coalesce(objsubid = 0 AND relkind IN ('r', 'p', 'f', 'v', 'm'), false)
            ORDER BY 1
            """, [.. dropped.Select(d => $"{d.RegType}:{d.Name}")],
            r => new DroppedAlong(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2), r.GetBoolean(3), r.GetBoolean(4))
            {
                Relation = r.IsDBNull(5) ? null : r.GetFieldValue<string[]>(5) is [var schema, var name] ? new QualifiedName(schema, name) : null,
            }, ct);
    }

    private static bool NamesMissing(PostgresException e) => e.SqlState is PostgresErrorCodes.UndefinedObject or PostgresErrorCodes.InvalidSchemaName;

    private static async Task<List<(string Type, string Name)>> UnresolvedAsync(NpgsqlConnection conn,
        IReadOnlyCollection<(string Type, string Name)> names, CancellationToken ct)
    {
        // An operator class or family, "schema.name USING method": by its parsed name and its access method (split at
        // the last " USING ", which a quoted name may hold too).
        static string ByMethod(string catalog, string nameColumn, string namespaceColumn, string methodColumn) =>
            $"EXISTS (SELECT FROM pg_catalog.{catalog} x JOIN pg_catalog.pg_namespace n ON n.oid = x.{namespaceColumn} JOIN pg_catalog.pg_am a ON a.oid = x.{methodColumn} " +
            $"WHERE ARRAY[n.nspname, x.{nameColumn}, a.amname]::pg_catalog.text[] = p.parts)";
        // The text search kinds have no to_reg* function in PostgreSQL 15: looked up by their parsed names.
        static string ByParts(string catalog, string nameColumn, string namespaceColumn) =>
            $"EXISTS (SELECT FROM pg_catalog.{catalog} x JOIN pg_catalog.pg_namespace n ON n.oid = x.{namespaceColumn} " +
            $"WHERE CASE WHEN pg_catalog.cardinality(p.parts) = 1 THEN ARRAY['pg_catalog', p.parts[1]] ELSE p.parts END = ARRAY[n.nspname, x.{nameColumn}]::pg_catalog.text[])";
        return await CatalogReader.QueryAsync(conn, $"""
            SELECT u.type, u.name
            FROM (SELECT pg_catalog.split_part(x, ':', 1), pg_catalog.substr(x, pg_catalog.strpos(x, ':') + 1) FROM pg_catalog.unnest($1::pg_catalog.text[]) x) u (type, name)
            CROSS JOIN LATERAL (SELECT CASE WHEN u.type IN ('regconfig', 'regdictionary', 'ts_template', 'ts_parser', 'column') THEN pg_catalog.parse_ident(u.name)
                                            WHEN u.type IN ('opclass', 'opfamily') THEN pg_catalog.parse_ident(pg_catalog.substring(u.name, '^(.*) USING '))
                                                || pg_catalog.parse_ident(pg_catalog.substring(u.name, '^.* USING (.*)$')) END) p (parts)
            WHERE NOT CASE u.type
                WHEN 'regclass' THEN pg_catalog.to_regclass(u.name) IS NOT NULL
                WHEN 'regtype' THEN pg_catalog.to_regtype(u.name) IS NOT NULL
                WHEN 'regproc' THEN pg_catalog.to_regprocedure(u.name) IS NOT NULL
                WHEN 'regprocedure' THEN pg_catalog.to_regprocedure(u.name) IS NOT NULL
                WHEN 'regoper' THEN pg_catalog.to_regoperator(u.name) IS NOT NULL
                WHEN 'regoperator' THEN pg_catalog.to_regoperator(u.name) IS NOT NULL
                WHEN 'regnamespace' THEN pg_catalog.to_regnamespace(u.name) IS NOT NULL
                WHEN 'regrole' THEN pg_catalog.to_regrole(u.name) IS NOT NULL
                WHEN 'regcollation' THEN pg_catalog.to_regcollation(u.name) IS NOT NULL
                WHEN 'regconfig' THEN {ByParts("pg_ts_config", "cfgname", "cfgnamespace")}
                WHEN 'regdictionary' THEN {ByParts("pg_ts_dict", "dictname", "dictnamespace")}
                WHEN 'ts_template' THEN {ByParts("pg_ts_template", "tmplname", "tmplnamespace")}
                WHEN 'ts_parser' THEN {ByParts("pg_ts_parser", "prsname", "prsnamespace")}
                WHEN 'opclass' THEN {ByMethod("pg_opclass", "opcname", "opcnamespace", "opcmethod")}
                WHEN 'opfamily' THEN {ByMethod("pg_opfamily", "opfname", "opfnamespace", "opfmethod")}
                -- "schema.table.column": the relation's name is all parts but the last.
                WHEN 'column' THEN EXISTS (SELECT FROM pg_catalog.pg_attribute a
                    WHERE a.attrelid = pg_catalog.to_regclass(pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.quote_ident(x)
                                         FROM pg_catalog.unnest(p.parts[1:pg_catalog.cardinality(p.parts) - 1]) WITH ORDINALITY AS q (x, i) ORDER BY i), '.'))
                      AND a.attname = p.parts[pg_catalog.cardinality(p.parts)] AND a.attnum > 0 AND NOT a.attisdropped)
            END
            """, [.. names.Select(n => $"{n.Type}:{n.Name}")], r => (r.GetString(0), r.GetString(1)), ct);
    }

    /// <summary>Whether any relation (table, index, sequence, view, ...) or type of that name exists in the schema.</summary>
    public bool NameTaken(string schema, string name) =>
        Relations.ContainsKey(new QualifiedName(schema, name)) || Types.ContainsKey(new QualifiedName(schema, name));
}
