using PgClone.Core.Catalog;

namespace PgClone.Core.Ddl;

/// <summary>
/// The functions of the catalog that a function's body calls by name. PostgreSQL records no dependency for a body
/// kept as a string (LANGUAGE sql without BEGIN ATOMIC, plpgsql): a domain's check calling f, whose body calls g,
/// brought f along but not g, and the table failed on the target after its first objects were written. Every function
/// of that name (any overload; in the schema given, else in any schema read) counts: one brought for nothing is
/// created only where the target lacks it. One that needs a table or view (its row type, a BEGIN ATOMIC body) is not
/// taken on a name alone: it would have the clone refuse, or fail, for a call that may never run while it loads.
/// </summary>
internal sealed class FunctionBodies(SourceCatalog catalog)
{
    private readonly Dictionary<uint, FunctionInfo> _byOid = catalog.Functions.ToDictionary(f => f.Oid);
    private readonly ILookup<string, FunctionInfo> _byName = catalog.Functions.ToLookup(f => f.Name.Name, StringComparer.Ordinal);

    public IEnumerable<ObjectKey> Called(ObjectKey key)
    {
        if (key.Kind != 'f' || !_byOid.TryGetValue(key.Oid, out var function) || function.Definition is not { } definition) return [];
        var called = new HashSet<ObjectKey>();
        foreach (var body in SqlTokens.Read(definition).Where(t => t.Kind == SqlTokenKind.Dollar || t.Kind == SqlTokenKind.String))
        {
            var tokens = SqlTokens.Read(body.Value);
            for (var i = 0; i + 1 < tokens.Count; i++)
            {
                if (!tokens[i].IsIdentifier || tokens[i + 1] is not { Kind: SqlTokenKind.Other, Value: "(" }) continue;
                var schema = i >= 2 && tokens[i - 1].Kind == SqlTokenKind.Dot && tokens[i - 2].IsIdentifier ? tokens[i - 2].Value : null;
                foreach (var f in _byName[tokens[i].Value].Where(f => f.Oid != function.Oid && (schema is null || f.Name.Schema == schema)))
                    if (!catalog.DependenciesOf(new ObjectKey('f', f.Oid)).Any(d => d.Kind == 'r')) called.Add(new ObjectKey('f', f.Oid));
            }
        }
        return called;
    }
}
