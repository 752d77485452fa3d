namespace PgClone.Core.Ddl;

internal enum SqlTokenKind { Identifier, QuotedIdentifier, String, EscapeString, Dollar, Dot, Other }

/// <summary>
/// One lexical token of a statement: <see cref="Value"/> is the identifier as PostgreSQL reads it (an unquoted one
/// folded to lower case, a quoted one without its quotes), a string's or dollar-quoted body's content, else the text.
/// </summary>
internal readonly record struct SqlToken(SqlTokenKind Kind, int Start, int Length, string Value)
{
    public int End => Start + Length;

    public bool IsIdentifier => Kind is SqlTokenKind.Identifier or SqlTokenKind.QuotedIdentifier;

    /// <summary>An unquoted keyword such as SCHEMA or EXECUTE.</summary>
    public bool IsKeyword(string word) => Kind == SqlTokenKind.Identifier && Value == word;
}

/// <summary>
/// Splits SQL text into tokens the way PostgreSQL's scanner does for what matters here: identifiers (plain and
/// double-quoted), strings (standard, E'' and dollar-quoted), comments and whitespace (dropped), dots, and
/// everything else one character (or one number) at a time.
/// </summary>
internal static class SqlTokens
{
    public static List<SqlToken> Read(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var start = i;
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '-' && At(sql, i + 1) == '-') { while (i < sql.Length && sql[i] != '\n') i++; continue; }
            if (c == '/' && At(sql, i + 1) == '*') { i = SkipBlockComment(sql, i); continue; }
            if ((c is 'E' or 'e') && At(sql, i + 1) == '\'')
            {
                var (value, end) = ReadString(sql, i + 1, escapes: true);
                tokens.Add(new SqlToken(SqlTokenKind.EscapeString, start, end - start, value));
                i = end;
            }
            else if (c == '\'')
            {
                var (value, end) = ReadString(sql, i, escapes: false);
                tokens.Add(new SqlToken(SqlTokenKind.String, start, end - start, value));
                i = end;
            }
            else if (c == '"')
            {
                i++;
                var value = new System.Text.StringBuilder();
                while (i < sql.Length)
                {
                    if (sql[i] == '"' && At(sql, i + 1) == '"') { value.Append('"'); i += 2; }
                    else if (sql[i] == '"') { i++; break; }
                    else value.Append(sql[i++]);
                }
                tokens.Add(new SqlToken(SqlTokenKind.QuotedIdentifier, start, i - start, value.ToString()));
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                var end = close < 0 ? sql.Length : close + tag.Length;
                var bodyEnd = close < 0 ? sql.Length : close;
                tokens.Add(new SqlToken(SqlTokenKind.Dollar, start, end - start, sql[(i + tag.Length)..bodyEnd]));
                i = end;
            }
            else if (IsIdentStart(c))
            {
                while (i < sql.Length && IsIdentPart(sql[i])) i++;
                tokens.Add(new SqlToken(SqlTokenKind.Identifier, start, i - start, sql[start..i].ToLowerInvariant()));
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '_' || sql[i] == '.' && char.IsAsciiDigit(At(sql, i + 1)))) i++;
                tokens.Add(new SqlToken(SqlTokenKind.Other, start, i - start, sql[start..i]));
            }
            else
            {
                i++;
                tokens.Add(new SqlToken(c == '.' ? SqlTokenKind.Dot : SqlTokenKind.Other, start, 1, c.ToString()));
            }
        }
        return tokens;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || c > 127;

    private static bool IsIdentPart(char c) => IsIdentStart(c) || char.IsAsciiDigit(c) || c == '$';

    private static int SkipBlockComment(string sql, int i)
    {
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && At(sql, i + 1) == '*') { depth++; i += 2; }
            else if (sql[i] == '*' && At(sql, i + 1) == '/') { i += 2; if (--depth == 0) return i; }
            else i++;
        }
        return i;
    }

    /// <summary>A string starting at the quote at <paramref name="i"/>: its value and the index after its closing quote.</summary>
    private static (string Value, int End) ReadString(string sql, int i, bool escapes)
    {
        var value = new System.Text.StringBuilder();
        i++;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c == '\'' && At(sql, i + 1) == '\'') { value.Append('\''); i += 2; }
            else if (c == '\'') return (value.ToString(), i + 1);
            else if (escapes && c == '\\' && i + 1 < sql.Length) { value.Append(Unescape(sql[i + 1])); i += 2; }
            else { value.Append(c); i++; }
        }
        return (value.ToString(), i);
    }

    private static char Unescape(char c) => c switch { 'n' => '\n', 't' => '\t', 'r' => '\r', 'b' => '\b', 'f' => '\f', _ => c };

    /// <summary>The tag ($$ or $name$) of a dollar-quoted string starting at <paramref name="i"/>, or null for a parameter ($1).</summary>
    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        if (j < sql.Length && char.IsAsciiDigit(sql[j])) return null;
        while (j < sql.Length && sql[j] != '$' && (IsIdentStart(sql[j]) || char.IsAsciiDigit(sql[j]))) j++;
        return j < sql.Length && sql[j] == '$' ? sql[i..(j + 1)] : null;
    }
}
