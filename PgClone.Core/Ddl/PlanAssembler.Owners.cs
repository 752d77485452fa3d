using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

internal sealed partial class PlanAssembler
{
    /// <summary>A created object as ALTER ... OWNER TO and GRANT name it.</summary>
    /// <param name="Schema">The schema the object is in on the target (null for a schema, or a kind that is in none).</param>
    private sealed record Owned(ObjectKey Key, string Kind, string AlterKeyword, string GrantKeyword, string Name, QualifiedName? Table, bool HasOwnOwner,
        string? Schema = null);

    private IEnumerable<Owned> CreatedObjects()
    {
        if (request.Operation is not (CloneOperation.Table or CloneOperation.Functions))
            foreach (var s in catalog.Schemas) yield return new(new ObjectKey('n', s.Oid), "schema", "SCHEMA", "SCHEMA", Sql.Ident(s.Name), null, true);
        foreach (var t in Types)
        {
            var domain = t.Kind == UserTypeKind.Domain;
            yield return new(new ObjectKey('t', t.Oid), domain ? "domain" : "type", domain ? "DOMAIN" : "TYPE", domain ? "DOMAIN" : "TYPE", t.Name.Quoted, null, true, t.Name.Schema);
        }
        // Owned and identity sequences follow their table's owner, but have privileges of their own.
        var sequences = Sequences.Concat(Tables.SelectMany(t => catalog.SequencesOwnedBy(t.Oid).Where(s => s.IsIdentity)));
        foreach (var s in sequences)
            yield return new(new ObjectKey('r', s.Oid), "sequence", "SEQUENCE", "SEQUENCE", naming.Sequence(s).Quoted, null, s.OwnerTable == 0, naming.Sequence(s).Schema);
        foreach (var t in Tables)
            yield return new(new ObjectKey('r', t.Oid), "table", t.IsForeign ? "FOREIGN TABLE" : "TABLE", "TABLE", naming.Table(t).Quoted, naming.Table(t), true, naming.Table(t).Schema);
        foreach (var f in Functions)
            yield return new(new ObjectKey('f', f.Oid), f.Kind == 'p' ? "procedure" : "function", "ROUTINE", "ROUTINE", f.Signature, null, true, f.Name.Schema);
        foreach (var v in Views)
            yield return new(new ObjectKey('r', v.Oid), Kind(v), v.Materialized ? "MATERIALIZED VIEW" : "VIEW", "TABLE", v.Name.Quoted, null, true, v.Name.Schema);
        // Aggregates', wrappers' and servers' owners are set with the other kinds' (below); an aggregate's privileges are a function's.
        foreach (var k in Kinds.Where(k => k.Kind == "aggregate"))
            yield return new(k.Key, k.Kind, "AGGREGATE", "FUNCTION", k.Name, null, false);
        foreach (var k in Kinds.Where(k => k.Kind is "foreign data wrapper" or "server"))
            yield return new(k.Key, k.Kind, "", k.Kind == "server" ? "FOREIGN SERVER" : "FOREIGN DATA WRAPPER", k.Name, null, false);
    }

    /// <summary>
    /// ALTER ... OWNER TO the source owner, for created objects owned by someone other than the cloning user,
    /// when that role exists on the target (clone roles first to keep ownership); then the objects' privileges
    /// (GRANT / REVOKE from their default ACL). A missing role is noted once in plan.Skipped. The schemas' owners and
    /// privileges come first: a new owner of an object needs CREATE on its schema, which a grant may give.
    /// </summary>
    private IEnumerable<DdlStatement> OwnersAndPrivileges()
    {
        var missing = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var withoutCreate = new Dictionary<(string Role, string Schema), int>();
        var schemas = new List<DdlStatement>();
        var owners = new List<DdlStatement>();
        var grants = new List<DdlStatement>();
        var changes = catalog.Privileges.ToLookup(p => p.Object);
        foreach (var o in CreatedObjects())
        {
            var (ownerStatements, grantStatements) = o.Key.Kind == 'n' ? (schemas, schemas) : (owners, grants);
            if (PreexistingSchema(o) is null) ownerStatements.AddRange(TargetDefaultsUndone(o));
            if (o.HasOwnOwner && catalog.Owners.TryGetValue(o.Key, out var owner) && owner != OwnerOnCreation(o))
            {
                if (CannotActAs(owner) is not null) missing[owner] = missing.GetValueOrDefault(owner) + 1;
                else if (MayNotCreateIn(o, owner)) withoutCreate[(owner, o.Schema!)] = withoutCreate.GetValueOrDefault((owner, o.Schema!)) + 1;
                else ownerStatements.Add(new DdlStatement(o.Kind, o.Name, $"ALTER {o.AlterKeyword} {o.Name} OWNER TO {Sql.Ident(owner)}") { Table = o.Table });
            }
            // A schema the target already had (public) keeps its own grants to PUBLIC unless they are reset first:
            // the source's privileges are stated from the built-in default, which has none for PUBLIC.
            if (PreexistingSchema(o) is not null)
                grantStatements.Add(new DdlStatement(o.Kind, o.Name, $"REVOKE ALL ON SCHEMA {o.Name} FROM PUBLIC"));
            foreach (var c in changes[o.Key])
            {
                if (c.Column is not null && o.Table is { } && !SystemColumns.Contains(c.Column) && !ColumnsOf(catalog.Table(o.Key.Oid)!).Any(x => x.Name == c.Column)) continue;
                if (c.Grantee is not null && !state.Roles.Contains(c.Grantee)) { missing[c.Grantee] = missing.GetValueOrDefault(c.Grantee) + 1; continue; }
                var grantee = c.Grantee is null ? "PUBLIC" : Sql.Ident(c.Grantee);
                var privileges = string.Join(", ", c.Privileges.Select(p => c.Column is null ? p : $"{p} ({Sql.Ident(c.Column)})"));
                var sql = c.Grant
                    ? $"GRANT {privileges} ON {o.GrantKeyword} {o.Name} TO {grantee}{(c.Grantable ? " WITH GRANT OPTION" : "")}"
                    : $"REVOKE {privileges} ON {o.GrantKeyword} {o.Name} FROM {grantee}";
                grantStatements.Add(new DdlStatement(o.Kind, o.Name, AsGrantor(c, sql, missing)) { Table = o.Table });
            }
        }
        grants.AddRange(ExtensionPrivileges(missing));
        grants.AddRange(ExtensionDictionaryOptions());
        owners.AddRange(Kinds.Where(k => k.Section != DumpSection.Last).Select(KindOwner).OfType<DdlStatement>());
        foreach (var (role, count) in missing)
            _absentRoles.Add($"{Words.Count(count, "ownership or privilege setting")} of role {Sql.Ident(role)}: it {state.CannotActAs(role)} (objects stay owned by {Sql.Ident(state.CurrentUser)})");
        foreach (var ((role, schema), count) in withoutCreate.OrderBy(x => x.Key.Role, StringComparer.Ordinal).ThenBy(x => x.Key.Schema, StringComparer.Ordinal))
        {
            _absentRoles.Add($"{Words.Count(count, "ownership setting")} of role {Sql.Ident(role)} in schema {Sql.Ident(schema)}: it has no CREATE privilege on that schema, and only a superuser " +
                             $"can give it objects there (objects stay owned by {Sql.Ident(state.CurrentUser)})");
            _needsSuperuser = true;
        }
        return schemas.Concat(owners).Concat(grants);
    }

    /// <summary>
    /// A created object gets the target's default ACLs for the cloning user, who creates it (set by ALTER DEFAULT
    /// PRIVILEGES there, or by <c>pgclone roles</c> run first), not the built-in default the source's privileges are
    /// stated from: those grants are revoked and the built-in default's restored, before the object changes owner
    /// (which carries its ACL over to the new owner). None when the target has no such default for its kind. Only
    /// a database clone, which makes the database the source's: a table, schema or functions clone into a database
    /// of its own keeps what that database's defaults give new objects (its application role's access), as a restore does.
    /// </summary>
    private IEnumerable<DdlStatement> TargetDefaultsUndone(Owned o)
    {
        if (request.Operation is not (CloneOperation.Database or CloneOperation.DatabaseCreate)) yield break;
        char? type = o.Kind switch
        {
            "schema" => 'n', "sequence" => 'S', "table" or "view" or "materialized view" => 'r',
            "function" or "procedure" or "aggregate" => 'f', "type" or "domain" => 'T', _ => null,
        };
        var defaults = state.CreatorDefaults.Where(d => d.ObjectType == type && (d.Schema is null || d.Schema == o.Schema)).ToList();
        if (defaults.Count == 0) yield break;
        var on = $"{o.GrantKeyword} {o.Name}";
        var grantees = defaults.SelectMany(d => d.Grantees).Distinct().Select(g => g is null ? "PUBLIC" : Sql.Ident(g)).ToList();
        if (grantees.Count > 0) yield return new DdlStatement(o.Kind, o.Name, $"REVOKE ALL ON {on} FROM {string.Join(", ", grantees)}") { Table = o.Table };
        // A default for every schema replaces the built-in one, which it may have narrowed, the creator's own rights included.
        if (defaults.Any(d => d.Schema is null)) yield return new DdlStatement(o.Kind, o.Name, $"GRANT ALL ON {on} TO CURRENT_USER") { Table = o.Table };
        if (type is 'f' or 'T') yield return new DdlStatement(o.Kind, o.Name, $"GRANT {(type == 'f' ? "EXECUTE" : "USAGE")} ON {on} TO PUBLIC") { Table = o.Table };
    }

    /// <summary>
    /// Whether a cloning user who is not a superuser cannot give the object to <paramref name="owner"/> because that
    /// role will have no CREATE on the object's schema: it has none there on the target now, and gets none from the
    /// clone, which grants a schema it makes (or re-grants, only resetting PUBLIC's) the source's privileges.
    /// </summary>
    private bool MayNotCreateIn(Owned o, string owner)
    {
        if (state.IsSuperuser || o.Schema is null) return false;
        if (state.SchemaCreators.TryGetValue(o.Schema, out var creators) && creators.Contains(owner)) return false;
        return request.Operation is CloneOperation.Table or CloneOperation.Functions || catalog.OwnersWithoutCreate.Contains(o.Key);
    }

    /// <summary>The system columns of every table (no user column can take these names): privileges on them travel too.</summary>
    private static readonly HashSet<string> SystemColumns = new(["tableoid", "cmax", "xmax", "cmin", "xmin", "ctid"], StringComparer.Ordinal);

    /// <summary>A database clone's schema that the target already has (public), by name; null for anything else.</summary>
    private string? PreexistingSchema(Owned o)
    {
        if (o.Key.Kind != 'n' || request.Operation is not (CloneOperation.Database or CloneOperation.DatabaseCreate)) return null;
        var name = catalog.Schemas.First(s => s.Oid == o.Key.Oid).Name;
        return state.Schemas.Contains(name) ? name : null;
    }

    /// <summary>
    /// Who owns the object on the target before ALTER ... OWNER: the cloning user, who creates it, or for a schema the
    /// target already had, its owner there (public's is pg_database_owner in a new database, so a source public
    /// owned by the cloning user must be given to it, as pg_dump does).
    /// </summary>
    private string OwnerOnCreation(Owned o) =>
        PreexistingSchema(o) is { } name && state.SchemaOwners.TryGetValue(name, out var owner) ? owner : state.CurrentUser;

    /// <summary>
    /// A grant made by a holder of the grant option rather than the owner is made as that role, so the target
    /// records the same grantor (pg_dump does it under SET SESSION AUTHORIZATION). SET is undone with the
    /// statement's transaction if the grant fails. When the cloning user cannot take that role, the grant is counted
    /// among the role's gaps (a database clone refuses) and, if the run goes on, made with the owner as grantor.
    /// </summary>
    private string AsGrantor(AclChange c, string sql, SortedDictionary<string, int> missing)
    {
        if (c.Grantor is null) return sql;
        if (CannotActAs(c.Grantor) is null) return Sql.AsRole(c.Grantor, sql);
        missing[c.Grantor] = missing.GetValueOrDefault(c.Grantor) + 1;
        return sql;
    }

    /// <summary>
    /// Privileges changed on the members of the extensions the clone has (a database clone: every extension,
    /// plpgsql too): CREATE EXTENSION set the initial ones on the target as on the source; these are the changes since.
    /// </summary>
    private IEnumerable<DdlStatement> ExtensionPrivileges(SortedDictionary<string, int> missing)
    {
        foreach (var m in catalog.ExtensionAcls.Where(m => ClonesExtension(m.Extension)))
        {
            var c = m.Change;
            if (c.Grantee is not null && !state.Roles.Contains(c.Grantee)) { missing[c.Grantee] = missing.GetValueOrDefault(c.Grantee) + 1; continue; }
            var name = (m.Schema is null ? Sql.Ident(m.Name) : Sql.Qualified(m.Schema, m.Name)) + (m.Arguments is null ? "" : $"({m.Arguments})");
            if (!state.IsSuperuser)
            {
                // The members belong to the superuser who ran CREATE EXTENSION (or, for a trusted one, the bootstrap
                // superuser): anyone else's GRANT or REVOKE on them is refused or, holding no grant option, only warned of.
                _needsSuperuser = true;
                _absentRoles.Add($"{m.Keyword.ToLowerInvariant()} {name}: its privileges were changed on the source, and only a superuser can change those of a member of extension {Sql.Ident(m.Extension)}");
                continue;
            }
            var grantee = c.Grantee is null ? "PUBLIC" : Sql.Ident(c.Grantee);
            var privileges = string.Join(", ", c.Privileges.Select(p => c.Column is null ? p : $"{p} ({Sql.Ident(c.Column)})"));
            yield return new DdlStatement(m.Keyword.ToLowerInvariant(), name, c.Grant
                ? $"GRANT {privileges} ON {m.Keyword} {name} TO {grantee}{(c.Grantable ? " WITH GRANT OPTION" : "")}"
                : $"REVOKE {privileges} ON {m.Keyword} {name} FROM {grantee}");
        }
    }

    /// <summary>
    /// The source's options for the text search dictionaries of the extensions the clone has, set only where the
    /// target's differ (an extension the target already had may belong to another role, and an unchanged dictionary
    /// needs no ALTER). An option the source removed stays on the target.
    /// </summary>
    private IEnumerable<DdlStatement> ExtensionDictionaryOptions() =>
        catalog.ExtensionDictionaries.Where(d => ClonesExtension(d.Extension)).Select(d => new DdlStatement("text search dictionary", d.Name.Quoted,
            UnlessAlready($"(SELECT dictinitoption FROM pg_catalog.pg_ts_dict WHERE oid = {Sql.Literal(d.Name.Quoted)}::pg_catalog.regdictionary)", d.Options,
                $"ALTER TEXT SEARCH DICTIONARY {d.Name.Quoted} ({d.Options})")));

    /// <summary>
    /// A statement run only when the target's value (a scalar query) differs from the source's: an object the clone
    /// did not create may belong to another role, which the statement would need, for nothing when they agree.
    /// </summary>
    private static string UnlessAlready(string targetValue, string sourceValue, string statement) =>
        "DO " + Sql.DollarQuote($"BEGIN IF {targetValue} IS DISTINCT FROM {Sql.Literal(sourceValue)} THEN EXECUTE {Sql.Literal(statement)}; END IF; END");

    /// <summary>Whether the target gets this extension from the clone (a database clone: every extension).</summary>
    private bool ClonesExtension(string extension) =>
        request.Operation is CloneOperation.Database or CloneOperation.DatabaseCreate
        || (_clonedExtensions ??= ExtensionNames().ToHashSet(StringComparer.Ordinal)).Contains(extension);

    private HashSet<string>? _clonedExtensions;
}
