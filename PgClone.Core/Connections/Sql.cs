using System.Text;

namespace PgClone.Core.Connections;

/// <summary>
/// The one place where names and values become SQL text. Nothing else in PgClone pastes an identifier or a
/// literal into a statement.
/// </summary>
public static class Sql
{
    /// <summary>Always-quoted identifier: "name" with embedded quotes doubled.</summary>
    public static string Ident(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Contains('\0')) throw new ArgumentException("identifier contains a NUL character", nameof(name));
        return "\"" + name.Replace("\"", "\"\"") + "\"";
    }

    /// <summary>True when <paramref name="sql"/> is exactly one identifier as <see cref="Ident"/> renders it.</summary>
    public static bool IsIdent(string sql) =>
        sql.Length >= 2 && sql[0] == '"' && sql[^1] == '"' && sql.AsSpan(1, sql.Length - 2).ToString().Replace("\"\"", "").IndexOf('"') < 0;

    /// <summary>
    /// <paramref name="sql"/> run as <paramref name="role"/>: a grant made so records that role as its grantor (pg_dump
    /// does it under SET SESSION AUTHORIZATION). A failed statement's transaction undoes the SET with it.
    /// </summary>
    public static string AsRole(string role, string sql) => $"SET ROLE {Ident(role)}; {sql}; RESET ROLE";

    /// <summary>
    /// Reads a "quoted" identifier (doubled quotes inside) starting at <paramref name="i"/>, leaving <paramref name="i"/>
    /// after it; null when there is none there, it is empty or unterminated (the inverse of <see cref="Ident"/>).
    /// </summary>
    public static string? ReadIdent(string text, ref int i)
    {
        if (i >= text.Length || text[i] != '"') return null;
        var name = new StringBuilder();
        for (var j = i + 1; j < text.Length; j++)
        {
            if (text[j] != '"') { name.Append(text[j]); continue; }
            if (j + 1 < text.Length && text[j + 1] == '"') { name.Append('"'); j++; continue; }
            if (name.Length == 0) return null;
            i = j + 1;
            return name.ToString();
        }
        return null;
    }

    /// <summary>"schema"."name".</summary>
    public static string Qualified(string schema, string name) => Ident(schema) + "." + Ident(name);

    /// <summary>Standard-conforming string literal; E'' form never needed since backslashes are not special.</summary>
    public static string Literal(string? value)
    {
        if (value is null) return "NULL";
        if (value.Contains('\0')) throw new ArgumentException("literal contains a NUL character", nameof(value));
        return "'" + value.Replace("'", "''") + "'";
    }

    public static string Literal(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Comma-separated quoted identifiers.</summary>
    public static string IdentList(IEnumerable<string> names) => string.Join(", ", names.Select(Ident));

    /// <summary>A dollar-quoted body whose tag cannot occur inside it.</summary>
    public static string DollarQuote(string body)
    {
        var tag = "$pgc$";
        for (var i = 0; body.Contains(tag); i++) tag = $"$pgc{i}$";
        return new StringBuilder(tag).Append(body).Append(tag).ToString();
    }
}
