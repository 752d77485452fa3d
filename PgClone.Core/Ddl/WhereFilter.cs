using System.Text.RegularExpressions;

namespace PgClone.Core.Ddl;

/// <summary>
/// Checks a user's row filter before it is pasted into the source COPY query. The source runs read-only anyway;
/// this refuses anything that is not a plain boolean expression: statement separators, comments, unbalanced
/// parentheses (which could close the SELECT), and command keywords outside string literals and quoted names.
/// </summary>
public static partial class WhereFilter
{
    private static readonly HashSet<string> Forbidden = new(StringComparer.OrdinalIgnoreCase)
    {
        "insert", "update", "delete", "drop", "create", "alter", "truncate", "grant", "revoke", "copy", "merge", "call",
        "do", "vacuum", "lock", "comment", "security", "set", "reset",
    };

    /// <summary>Returns the filter unchanged (trimmed), null for none; throws <c>where filter rejected: reason</c>.</summary>
    public static string? Validate(string? where)
    {
        if (string.IsNullOrWhiteSpace(where)) return null;
        var depth = 0;
        var i = 0;
        while (i < where.Length)
        {
            var ch = where[i];
            if (ch == '\'') i = SkipQuoted(where, i, '\'', "unterminated string literal");
            else if (ch == '"') i = SkipQuoted(where, i, '"', "unterminated quoted identifier");
            else if (ch == '$' && DollarTag().Match(where, i) is { Success: true } tag && (i == 0 || !IsWordChar(where[i - 1])))
            {
                var end = where.IndexOf(tag.Value, i + tag.Length, StringComparison.Ordinal);
                if (end < 0) throw Rejected("unterminated dollar-quoted string");
                i = end + tag.Length;
            }
            else if (ch == ';') throw Rejected("';' is not allowed");
            else if (ch == '\0') throw Rejected("NUL character is not allowed");
            else if ((ch == '-' && At(where, i + 1) == '-') || (ch == '/' && At(where, i + 1) == '*')) throw Rejected("comments are not allowed");
            else if (ch == '(') { depth++; i++; }
            else if (ch == ')') { if (--depth < 0) throw Rejected("unbalanced parentheses"); i++; }
            else if (char.IsLetter(ch) || ch == '_')
            {
                var start = i;
                while (i < where.Length && IsWordChar(where[i])) i++;
                var word = where[start..i];
                if (Forbidden.Contains(word)) throw Rejected($"keyword \"{word.ToLowerInvariant()}\" is not allowed");
            }
            else i++;
        }
        if (depth != 0) throw Rejected("unbalanced parentheses");
        return where.Trim();
    }

    private static int SkipQuoted(string s, int i, char quote, string unterminated)
    {
        i++;
        while (true)
        {
            var end = s.IndexOf(quote, i);
            if (end < 0) throw Rejected(unterminated);
            if (At(s, end + 1) == quote) { i = end + 2; continue; }
            return end + 1;
        }
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';
    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$';
    private static PgCloneException Rejected(string reason) => new($"where filter rejected: {reason}");

    [GeneratedRegex(@"\G\$([A-Za-z_][A-Za-z0-9_]*)?\$")]
    private static partial Regex DollarTag();
}
