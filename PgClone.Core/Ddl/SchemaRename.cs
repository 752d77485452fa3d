using System.Text;
using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// A schema clone under another name (target_name): the plan is made as for the schema itself, then every
/// reference into the source schema in its statements is pointed at the new one. This works on the statements'
/// text because the catalog is read with search_path = pg_catalog, so pg_get_*def and the planner qualify every
/// name outside pg_catalog: a reference into the schema is always <c>schema.name</c>. A token is rewritten when it is
/// the schema's name (quoted or not) followed by a dot and the name of an object of that schema (not a column
/// qualified by a table alias that happens to be spelled like the schema), or an operator in OPERATOR(...), or the
/// name after the keyword SCHEMA; inside a reg* literal (<c>nextval('s.seq'::regclass)</c>), a function's
/// <c>SET search_path</c> list, and the engine's own wrappers (a DO block that EXECUTEs a definition) the same rules
/// apply to the literal's content. Bodies of functions written as strings (plpgsql, SQL in quotes) are left as
/// they are: they are code, not names, and may mean the source schema on purpose.
/// </summary>
/// <param name="quotedTo">The new name as written in the statements; by default always quoted. A diff passes the server's
/// own quote_ident() of it, so rewritten definitions read exactly as the server prints the original's.</param>
/// <param name="printedFrom">The source schema's name as the server prints it in a type name (quote_ident), so that the
/// target's routine signatures, read back to the source's name, match the plan's (<see cref="AsSource"/>).</param>
internal sealed class SchemaRename(string from, string to, IReadOnlySet<string> objectNames, string? quotedTo = null, string? printedFrom = null)
{
    private readonly string _quotedTo = quotedTo ?? Connections.Sql.Ident(to);

    private static readonly HashSet<string> RegTypes = ["regclass", "regtype", "regproc", "regprocedure", "regoper", "regoperator",
        "regconfig", "regdictionary", "regcollation"];

    public string From => from;
    public string To => to;

    public QualifiedName Name(QualifiedName name) => name.Schema == from ? name with { Schema = to } : name;

    /// <summary>What the target holds in the new schema, seen as if it were the source schema (the plan is made against it).</summary>
    public TargetState AsSource(TargetState state)
    {
        QualifiedName Back(QualifiedName n) => n.Schema == to ? n with { Schema = from } : n;
        return state with
        {
            Schemas = state.Schemas.Select(s => s == to ? from : s).ToHashSet(),
            Relations = state.Relations.Values.ToDictionary(r => Back(r.Name), r => r with { Name = Back(r.Name) }),
            Types = state.Types.ToDictionary(t => Back(t.Key), t => t.Value),
            Collations = state.Collations.Select(Back).ToHashSet(),
            // A routine of the new schema by the source schema's name, whatever its own name (one moved aside too).
            Functions = state.Functions.Select(FromNewSchema).ToHashSet(),
            KindObjects = state.KindObjects.Select(k => (k.Kind, FromNewSchema(k.Name))).ToHashSet(),
            Multiranges = state.Multiranges.ToDictionary(m => Back(m.Key), m => Back(m.Value)),
        };
    }

    /// <summary>A target object's name as the plan names the source's: the new schema's quoted prefix, and its names inside, read back.</summary>
    private string FromNewSchema(string name) => name.StartsWith(Connections.Sql.Ident(to) + ".", StringComparison.Ordinal)
        ? Connections.Sql.Ident(from) + ReadBack.Rewrite(name[Connections.Sql.Ident(to).Length..])
        : ReadBack.Rewrite(name);

    /// <summary>The new schema's names read back as the source schema's, spelled as the server prints them.</summary>
    private SchemaRename ReadBack => new(to, from, objectNames, printedFrom);

    public ClonePlan Apply(ClonePlan plan) => plan with
    {
        PreData = plan.PreData.Select(Statement).ToList(),
        Tables = plan.Tables.Select(t => t with { Target = Name(t.Target), Create = t.Create.Select(Statement).ToList() }).ToList(),
        Indexes = plan.Indexes.Select(Statement).ToList(),
        Constraints = plan.Constraints.Select(Statement).ToList(),
        PostData = plan.PostData.Select(Statement).ToList(),
        Skipped = plan.Skipped.Select(Rewrite).ToList(),
        Conflicts = plan.Conflicts.Select(Rewrite).ToList(),
        Replaced = plan.Replaced.Select(r => (r.RegType, Rewrite(r.Name))).ToList(),
        Notes = plan.Notes.Select(Note).ToList(),
    };

    /// <summary>
    /// A note of the plan with its names in the source schema pointed at the new one. A note names the target's own
    /// objects too, which the source schema never held (a table moved aside to t_old), so any name qualified by the
    /// schema is one of it.
    /// </summary>
    private string Note(string note) => Rewrite(note, _ => true);

    // An extension stays where the source has it: it is the database's, not the schema's (its objects are not in
    // the names renamed, and CREATE EXTENSION ... WITH SCHEMA keeps naming the source schema).
    private DdlStatement Statement(DdlStatement s) => s.ObjectKind == "extension" ? s : s with
    {
        Sql = Rewrite(s.Sql),
        ObjectName = s.ObjectKind == "schema" && s.ObjectName == Connections.Sql.Ident(from) ? Connections.Sql.Ident(to) : Rewrite(s.ObjectName),
        Table = s.Table is { } t ? Name(t) : null,
        References = s.References is { } r ? Name(r) : null,
    };

    /// <summary>The statement with its references into the source schema pointed at the new one.</summary>
    public string Rewrite(string sql) => Rewrite(sql, objectNames.Contains);

    /// <param name="isObject">Whether a name after <c>schema.</c> is one of the schema's objects (else a column qualified by an alias).</param>
    private string Rewrite(string sql, Func<string, bool> isObject)
    {
        var tokens = SqlTokens.Read(sql);
        var text = new StringBuilder(sql.Length + 16);
        var copied = 0;
        void Replace(SqlToken t, string with)
        {
            text.Append(sql, copied, t.Start - copied).Append(with);
            copied = t.End;
        }
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.IsIdentifier && t.Value == from && (QualifiesObject(tokens, i, isObject) || AfterSchemaKeyword(tokens, i) || InSearchPath(tokens, i)))
                Replace(t, _quotedTo);
            else if (t.Kind is SqlTokenKind.String or SqlTokenKind.EscapeString)
            {
                var inner = StringContent(tokens, i, t.Value);
                if (inner != t.Value) Replace(t, Connections.Sql.Literal(inner));
            }
            else if (t.Kind == SqlTokenKind.Dollar && i > 0 && tokens[i - 1].IsKeyword("do"))
            {
                var inner = Rewrite(t.Value);
                if (inner != t.Value) Replace(t, Connections.Sql.DollarQuote(inner));
            }
        }
        return copied == 0 ? sql : text.Append(sql, copied, sql.Length - copied).ToString();
    }

    /// <summary>
    /// Routines of the plan whose body, written as a string (plpgsql, <c>AS $$...$$</c>), names the source schema
    /// (<c>s.t</c>, or <c>'s.cfg'</c> in a literal): left as written, it still means the source schema on the
    /// target, which the run says, since reads or writes there are no part of the copy.
    /// </summary>
    public IReadOnlyList<string> BodiesNamingSource(ClonePlan plan) =>
        [.. plan.PreData.Concat(plan.PostData).Where(s => s.ObjectKind is "function" or "procedure" && BodyNamesSource(s.Sql))
            .Select(s => $"{s}: its body names schema {Connections.Sql.Ident(from)}, and was left as written (a body is code, not names): " +
                         $"on the target it still means {Connections.Sql.Ident(from)}, not {Connections.Sql.Ident(to)}")];

    private bool BodyNamesSource(string sql)
    {
        var tokens = SqlTokens.Read(sql);
        for (var i = 1; i < tokens.Count; i++)
        {
            if (tokens[i].Kind is not (SqlTokenKind.Dollar or SqlTokenKind.String or SqlTokenKind.EscapeString)) continue;
            // The engine's wrapper (a DO block that EXECUTEs the definition) holds the statement; a string after AS is a body.
            if (tokens[i - 1].IsKeyword("do") || tokens[i - 1].IsKeyword("execute") ? BodyNamesSource(tokens[i].Value)
                : tokens[i - 1].IsKeyword("as") && NamesSource(tokens[i].Value))
                return true;
        }
        return false;
    }

    /// <summary>Whether code, or a string literal in it, holds <c>schema.</c> for the source schema.</summary>
    private bool NamesSource(string code)
    {
        var tokens = SqlTokens.Read(code);
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].IsIdentifier && tokens[i].Value == from && i + 1 < tokens.Count && tokens[i + 1].Kind == SqlTokenKind.Dot) return true;
            if (tokens[i].Kind is SqlTokenKind.String or SqlTokenKind.EscapeString or SqlTokenKind.Dollar && tokens[i].Value != code && NamesSource(tokens[i].Value)) return true;
        }
        return false;
    }

    /// <summary><c>schema.object</c>, or <c>OPERATOR(schema.+)</c>; not the middle of a longer dotted name.</summary>
    private static bool QualifiesObject(List<SqlToken> tokens, int i, Func<string, bool> isObject)
    {
        if (i + 2 >= tokens.Count || tokens[i + 1].Kind != SqlTokenKind.Dot || tokens[i + 1].Start != tokens[i].End) return false;
        if (i > 0 && tokens[i - 1].Kind == SqlTokenKind.Dot && tokens[i - 1].End == tokens[i].Start) return false;
        var next = tokens[i + 2];
        if (next.IsIdentifier) return isObject(next.Value);
        return i >= 2 && tokens[i - 1].Value == "(" && tokens[i - 2].IsKeyword("operator") || IsQualifiedOperator(tokens, i + 2);
    }

    private const string OperatorChars = "+-*/<>=~!@#%^&|`?";

    /// <summary>
    /// An operator's symbol right after <c>schema.</c> (<c>CREATE OPERATOR s.&lt;&lt;&lt;</c>, <c>COMMUTATOR = s.&gt;&gt;&gt;</c>): no
    /// column reference looks so, but for a lone <c>*</c>, which is <c>alias.*</c>.
    /// </summary>
    private static bool IsQualifiedOperator(List<SqlToken> tokens, int first)
    {
        var end = first;
        while (end < tokens.Count && tokens[end].Kind == SqlTokenKind.Other && tokens[end].Length == 1 && OperatorChars.Contains(tokens[end].Value[0])
               && tokens[end].Start == tokens[end - 1].End)
            end++;
        return end > first && !(end == first + 1 && tokens[first].Value == "*");
    }

    /// <summary>The name after SCHEMA (CREATE SCHEMA [IF NOT EXISTS], ON SCHEMA, IN SCHEMA, WITH SCHEMA).</summary>
    private static bool AfterSchemaKeyword(List<SqlToken> tokens, int i)
    {
        var k = i - 1;
        if (k >= 2 && tokens[k].IsKeyword("exists") && tokens[k - 1].IsKeyword("not") && tokens[k - 2].IsKeyword("if")) k -= 3;
        return k >= 0 && tokens[k].IsKeyword("schema");
    }

    /// <summary>
    /// A string's content, rewritten when it holds names: a reg* constant, an element of a SET search_path list,
    /// or a statement the engine runs through EXECUTE.
    /// </summary>
    private string StringContent(List<SqlToken> tokens, int i, string value)
    {
        if (i + 3 < tokens.Count && tokens[i + 1].Value == ":" && tokens[i + 2].Value == ":")
        {
            // The cast's type, as written bare or as pg_catalog.regclass.
            var at = i + 3;
            if (at + 2 < tokens.Count && tokens[at].IsKeyword("pg_catalog") && tokens[at + 1].Kind == SqlTokenKind.Dot) at += 2;
            var type = tokens[at];
            if (type.Kind == SqlTokenKind.Identifier && RegTypes.Contains(type.Value)) return Rewrite(value);
            if (type.IsKeyword("regnamespace")) return NameValue(value);
        }
        if (i > 0 && tokens[i - 1].IsKeyword("execute")) return Rewrite(value);
        return InSearchPath(tokens, i) && value == from ? to : value;
    }

    /// <summary>A regnamespace constant: the schema's name as an identifier, quoted when it needs to be.</summary>
    private string NameValue(string value)
    {
        var name = SqlTokens.Read(value);
        return name.Count == 1 && name[0].IsIdentifier && name[0].Value == from ? _quotedTo : value;
    }

    /// <summary>Whether the token is an element of <c>SET search_path TO a, b</c> (or <c>= a, b</c>).</summary>
    private static bool InSearchPath(List<SqlToken> tokens, int i)
    {
        var k = i - 1;
        while (k >= 1 && tokens[k].Value == "," && tokens[k - 1].Kind is SqlTokenKind.String or SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier) k -= 2;
        return k >= 1 && (tokens[k].IsKeyword("to") || tokens[k].Value == "=") && tokens[k - 1].IsKeyword("search_path");
    }
}
