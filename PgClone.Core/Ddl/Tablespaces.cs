using PgClone.Core.Connections;

namespace PgClone.Core.Ddl;

/// <summary>
/// Where a relation goes on the target: the tablespace of its source's name when the target has one, else the
/// database's default (planning refuses that unless the user opts for it, see <see cref="PlanScope"/>).
/// </summary>
internal sealed class Tablespaces(IReadOnlySet<string> onTarget)
{
    /// <summary>The tablespace to use, or null for the database's default.</summary>
    public string? Of(string? source) => source is not null && onTarget.Contains(source) ? source : null;

    /// <summary>" TABLESPACE name" for CREATE TABLE / CREATE MATERIALIZED VIEW, or "".</summary>
    public string Clause(string? source) => Of(source) is { } name ? " TABLESPACE " + Sql.Ident(name) : "";

    /// <summary>
    /// A statement run with default_tablespace set (CREATE INDEX: pg_get_indexdef gives no TABLESPACE clause to
    /// extend), set back to the database's default after it (as the clone's target sessions start: RESET would go
    /// back to the database's or role's own default_tablespace); a failure rolls the SET back with the statement's
    /// transaction.
    /// </summary>
    public string Around(string? source, string sql) =>
        Of(source) is { } name ? $"SET default_tablespace = {Sql.Ident(name)};\n{sql};\nSET default_tablespace = ''" : sql;

    /// <summary>A key's definition without USING INDEX TABLESPACE when the target lacks that tablespace (the user opted for the default).</summary>
    public string Definition(string definition) => IndexTablespace.Replace(definition, m =>
    {
        var name = m.Groups[1].Value;
        if (name.StartsWith('"')) name = name[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal);
        return Of(name) is null ? "" : m.Value;
    });

    private static readonly System.Text.RegularExpressions.Regex IndexTablespace =
        new(@" USING INDEX TABLESPACE (""(?:[^""]|"""")+""|[^\s,()""]+)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
