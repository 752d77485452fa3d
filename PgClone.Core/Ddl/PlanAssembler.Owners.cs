using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

internal sealed partial class PlanAssembler
{
    /// <summary>
    /// ALTER ... OWNER TO the source owner, for created objects owned by someone other than the cloning user,
    /// when that role exists on the target (clone roles first to keep ownership). A missing role is noted once in
    /// plan.Skipped. Owned and identity sequences follow their table.
    /// </summary>
    private IEnumerable<DdlStatement> Owners()
    {
        var missing = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var statements = new List<DdlStatement>();
        void Owner(ObjectKey key, string kind, string keyword, string name, QualifiedName? table = null)
        {
            if (!catalog.Owners.TryGetValue(key, out var owner) || owner == state.CurrentUser) return;
            if (!state.Roles.Contains(owner)) { missing[owner] = missing.GetValueOrDefault(owner) + 1; return; }
            statements.Add(new DdlStatement(kind, name, $"ALTER {keyword} {name} OWNER TO {Sql.Ident(owner)}") { Table = table });
        }

        if (request.Operation is not (CloneOperation.Table or CloneOperation.Functions))
            foreach (var s in catalog.Schemas) Owner(new ObjectKey('n', s.Oid), "schema", "SCHEMA", Sql.Ident(s.Name));
        foreach (var t in Types)
            Owner(new ObjectKey('t', t.Oid), t.Kind == UserTypeKind.Domain ? "domain" : "type", t.Kind == UserTypeKind.Domain ? "DOMAIN" : "TYPE", t.Name.Quoted);
        foreach (var s in Sequences.Where(s => s.OwnerTable == 0))
            Owner(new ObjectKey('r', s.Oid), "sequence", "SEQUENCE", naming.Sequence(s).Quoted);
        foreach (var t in Tables)
            Owner(new ObjectKey('r', t.Oid), "table", "TABLE", naming.Table(t).Quoted, naming.Table(t));
        foreach (var f in Functions)
            Owner(new ObjectKey('f', f.Oid), f.Kind == 'p' ? "procedure" : "function", "ROUTINE", f.Signature);
        foreach (var v in Views)
            Owner(new ObjectKey('r', v.Oid), Kind(v), v.Materialized ? "MATERIALIZED VIEW" : "VIEW", v.Name.Quoted);
        foreach (var (role, count) in missing)
            _skipped.Add($"owner {Sql.Ident(role)}: role is not on the target; {count} object(s) stay owned by {Sql.Ident(state.CurrentUser)}");
        return statements;
    }
}
