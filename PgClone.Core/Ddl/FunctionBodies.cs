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
    private readonly Dictionary<uint, List<(string? Schema, string Name)>> _calls = [];

    private readonly Dictionary<uint, FunctionInfo> _byOid = catalog.Functions.ToDictionary(f => f.Oid);
    private readonly ILookup<string, FunctionInfo> _byName = catalog.Functions.ToLookup(f => f.Name.Name, StringComparer.Ordinal);
    private readonly ILookup<string, ExtensionFunction> _extensionByName = catalog.ExtensionFunctions.ToLookup(f => f.Name, StringComparer.Ordinal);

    public IEnumerable<ObjectKey> Called(ObjectKey key)
    {
        if (key.Kind != 'f' || !_byOid.TryGetValue(key.Oid, out var function)) return [];
        var called = new HashSet<ObjectKey>();
        foreach (var (schema, name) in CallsOf(function))
            foreach (var f in _byName[name].Where(f => f.Oid != function.Oid && (schema is null || f.Name.Schema == schema)))
                if (!catalog.DependenciesOf(new ObjectKey('f', f.Oid)).Any(d => d.Kind == 'r')) called.Add(new ObjectKey('f', f.Oid));
        return called;
    }

    /// <summary>
    /// The extensions whose functions the bodies call: Odoo's f_unaccent calls unaccent(), and an index on f_unaccent
    /// failed after the table's rows were in when the clone did not bring the extension. A call that does not name the
    /// schema counts only when neither a function read nor a built-in one has the name: creating an extension the
    /// clone does not need, or refusing the clone for one the target cannot install, would be worse than the guess.
    /// </summary>
    public IEnumerable<string> Extensions(IEnumerable<FunctionInfo> functions) =>
        functions.SelectMany(CallsOf).Distinct()
            .SelectMany(call => _extensionByName[call.Name].Where(e => call.Schema is null ? !e.BuiltIn && !_byName[call.Name].Any() : e.Schema == call.Schema))
            .Select(e => e.Extension).Distinct(StringComparer.Ordinal);

    /// <summary>The calls a body makes by name (<see cref="Calls"/>), read once per function.</summary>
    public IReadOnlyList<(string? Schema, string Name)> CallsOf(FunctionInfo function)
    {
        if (!_calls.TryGetValue(function.Oid, out var calls)) _calls[function.Oid] = calls = [.. Calls(function)];
        return calls;
    }

    /// <summary>The calls a body makes by name: an identifier followed by "(", with the schema written before it, if any.</summary>
    private static IEnumerable<(string? Schema, string Name)> Calls(FunctionInfo function)
    {
        if (function.Definition is not { } definition) yield break;
        foreach (var body in SqlTokens.Read(definition).Where(t => t.Kind == SqlTokenKind.Dollar || t.Kind == SqlTokenKind.String))
        {
            var tokens = SqlTokens.Read(body.Value);
            for (var i = 0; i + 1 < tokens.Count; i++)
                if (tokens[i].IsIdentifier && tokens[i + 1] is { Kind: SqlTokenKind.Other, Value: "(" })
                    yield return (i >= 2 && tokens[i - 1].Kind == SqlTokenKind.Dot && tokens[i - 2].IsIdentifier ? tokens[i - 2].Value : null, tokens[i].Value);
        }
    }
}
