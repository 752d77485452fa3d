using System.Text.RegularExpressions;

namespace PgClone.Core.Verification;

/// <summary>
/// One form for two printings PostgreSQL gives of one expression, so that diff does not report a definition as
/// changed when only its printing is. <c>s IN ('a', 'b')</c> on a varchar column is stored as the array of varchar
/// literals coerced to text[] and printed <c>ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])</c>;
/// that text, created again (by any restore: pg_dump | psql gives the same), is stored as an array of coerced
/// elements and printed <c>ANY (ARRAY[('a'::character varying)::text, ('b'::character varying)::text])</c>. The
/// first is rewritten to the second; a printing already in the second form stays.
/// </summary>
internal static partial class DefinitionForm
{
    public static string Canonical(string definition) => definition.Contains("])::", StringComparison.Ordinal)
        ? CoercedArray().Replace(definition, m =>
        {
            var type = m.Groups["type"].Value;
            return "ARRAY[" + string.Join(", ", m.Groups["element"].Captures.Select(c => $"({c.Value})::{type}")) + "]";
        })
        : definition;

    /// <summary>An array of literals cast to one type, then coerced as a whole: <c>(ARRAY['a'::t1, 'b'::t1])::t2[]</c>.</summary>
    [GeneratedRegex(@"\(ARRAY\[(?<element>'(?:[^']|'')*'::[a-z_ ""]+(?:\(\d+(?:,\d+)?\))?)(?:, (?<element>'(?:[^']|'')*'::[a-z_ ""]+(?:\(\d+(?:,\d+)?\))?))*\]\)::(?<type>[a-z_ ""]+)\[\]")]
    private static partial Regex CoercedArray();
}
