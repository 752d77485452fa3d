using PgClone.Core.Catalog;
using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>Text search parsers, templates, dictionaries and configurations (with their token mappings).</summary>
internal static partial class TextSearchDdl
{
    public static KindObject Render(TextSearchParserInfo p)
    {
        var clauses = new List<string> { $"START = {p.Start}", $"GETTOKEN = {p.GetToken}", $"END = {p.End}", $"LEXTYPES = {p.LexTypes}" };
        if (p.Headline is not null) clauses.Add($"HEADLINE = {p.Headline}");
        return new KindObject(new ObjectKey('P', p.Oid), "text search parser", p.Name.Quoted, DumpSection.PreData,
            [$"CREATE TEXT SEARCH PARSER {p.Name.Quoted} (\n    {string.Join(",\n    ", clauses)}\n)"])
        { Comment = Comment("PARSER", p.Name, p.Comment) };
    }

    public static KindObject Render(TextSearchTemplateInfo t)
    {
        var clauses = new List<string>();
        if (t.Init is not null) clauses.Add($"INIT = {t.Init}");
        clauses.Add($"LEXIZE = {t.Lexize}");
        return new KindObject(new ObjectKey('T', t.Oid), "text search template", t.Name.Quoted, DumpSection.PreData,
            [$"CREATE TEXT SEARCH TEMPLATE {t.Name.Quoted} (\n    {string.Join(",\n    ", clauses)}\n)"])
        { Comment = Comment("TEMPLATE", t.Name, t.Comment) };
    }

    public static KindObject Render(TextSearchDictionaryInfo d) =>
        new(new ObjectKey('D', d.Oid), "text search dictionary", d.Name.Quoted, DumpSection.PreData,
            [$"CREATE TEXT SEARCH DICTIONARY {d.Name.Quoted} (\n    TEMPLATE = {d.Template}{(d.Options is null ? "" : ",\n    " + d.Options)}\n)"])
        {
            Comment = Comment("DICTIONARY", d.Name, d.Comment),
            Owner = d.Owner, OwnerTarget = $"TEXT SEARCH DICTIONARY {d.Name.Quoted}",
        };

    /// <summary>
    /// The files of the server's tsearch_data directory a dictionary's template reads when it is created (the
    /// options naming them, with the suffix the template adds): a stop word list, an Ispell dictionary and its affixes,
    /// synonyms, a thesaurus, unaccent's and dict_xsyn's rules. Templates of other extensions read what only they know.
    /// </summary>
    public static IEnumerable<string> Files(TextSearchDictionaryInfo d)
    {
        foreach (System.Text.RegularExpressions.Match m in OptionPattern().Matches(d.Options ?? ""))
        {
            var value = m.Groups[2].Value.Replace("''", "'", StringComparison.Ordinal);
            var suffix = m.Groups[1].Value.ToLowerInvariant() switch
            {
                "stopwords" => "stop", "afffile" => "affix", "synonyms" => "syn", "rules" => "rules",
                "dictfile" => d.Template.EndsWith(".thesaurus", StringComparison.Ordinal) ? "ths" : "dict",
                _ => null,
            };
            if (suffix is not null) yield return $"{value}.{suffix}";
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"(\w+)\s*=\s*'((?:[^']|'')*)'")]
    private static partial System.Text.RegularExpressions.Regex OptionPattern();

    public static KindObject Render(TextSearchConfigInfo c)
    {
        var create = new List<string> { $"CREATE TEXT SEARCH CONFIGURATION {c.Name.Quoted} (\n    PARSER = {c.Parser}\n)" };
        create.AddRange(c.Mappings.Select(m => $"ALTER TEXT SEARCH CONFIGURATION {c.Name.Quoted}\n    ADD MAPPING FOR {Sql.Ident(m.Token)} WITH {m.Dictionaries}"));
        return new KindObject(new ObjectKey('G', c.Oid), "text search configuration", c.Name.Quoted, DumpSection.PreData, create)
        {
            Comment = Comment("CONFIGURATION", c.Name, c.Comment),
            Owner = c.Owner, OwnerTarget = $"TEXT SEARCH CONFIGURATION {c.Name.Quoted}",
        };
    }

    private static string? Comment(string kind, QualifiedName name, string? comment) =>
        comment is null ? null : $"COMMENT ON TEXT SEARCH {kind} {name.Quoted} IS {Sql.Literal(comment)}";
}
