using System.Text.RegularExpressions;

namespace PgClone.Core.Masking;

/// <summary>How much a value looks like a person's name.</summary>
public enum NameMatch
{
    None,
    /// <summary>One name-shaped token that is a known given name ("Alice").</summary>
    GivenOnly,
    /// <summary>One name-shaped token that is a known family name and not an everyday word ("Kowalski", not "Brown").</summary>
    FamilyOnly,
    /// <summary>Two to four name-shaped tokens, one end of them in a dictionary ("Alice Zbrowski").</summary>
    Partial,
    /// <summary>A known given name and a known family name ("Alice Johnson", "Johnson, Alice", "Dr. Alice M. Johnson").</summary>
    Full,
}

/// <summary>
/// Recognises person names in free-form values (a <c>display</c>, <c>label</c>, <c>owner</c> column) by shape and
/// dictionary: only letters, apostrophes and hyphens, two to four tokens, initials allowed in the middle, courtesy
/// titles ignored. Digits, more than four words or a single unknown word rule a value out, so "Blue Widget 3000",
/// "ACTIVE" or "DE" never count.
/// </summary>
public static partial class PersonNames
{
    public static NameMatch Classify(string value)
    {
        var v = value.Trim();
        if (v.Length is < 2 or > 60) return NameMatch.None;
        string[] tokens;
        var comma = v.IndexOf(',');
        if (comma > 0)
        {
            // "Last, First [Middle]": the family name first.
            if (v.IndexOf(',', comma + 1) >= 0) return NameMatch.None;
            var rest = Tokens(v[(comma + 1)..]);
            tokens = [.. rest, .. Tokens(v[..comma])];
        }
        else tokens = Tokens(v);
        var words = tokens.Where(t => !PersonNameDictionary.Affixes.Contains(t.TrimEnd('.'))).ToList();
        if (words.Count is 0 or > 4 || words.Any(w => !TokenPattern().IsMatch(w))) return NameMatch.None;
        // Initials only in the middle: "John Q. Public", not "J. Public" (too weak) nor "Public J.".
        var first = words[0];
        var last = words[^1];
        if (words.Count == 1)
            return first.Length < 2 ? NameMatch.None
                : PersonNameDictionary.GivenNames.Contains(first) ? NameMatch.GivenOnly
                : PersonNameDictionary.FamilyNames.Contains(StripApostrophe(first)) && !PersonNameDictionary.CommonWords.Contains(first) ? NameMatch.FamilyOnly
                : NameMatch.None;
        if (IsInitial(first) || IsInitial(last) || words.Skip(1).SkipLast(1).Any(w => !IsInitial(w) && !IsNamePart(w))) return NameMatch.None;
        var given = PersonNameDictionary.GivenNames.Contains(first);
        var family = StripApostrophe(last).Split('-').Any(PersonNameDictionary.FamilyNames.Contains);
        // Family name first ("Zhang Wei", "Kim Min"), as East Asian names are often written.
        var reversed = words.Count == 2 && PersonNameDictionary.FamilyNames.Contains(first) && PersonNameDictionary.GivenNames.Contains(last);
        return (given && family) || reversed ? NameMatch.Full : given || family ? NameMatch.Partial : NameMatch.None;
    }

    private static string[] Tokens(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsInitial(string w) => w.Length <= 2 && w.TrimEnd('.').Length == 1;

    /// <summary>A middle word: another name ("Mary Ann Smith"), or a particle ("van", "de", "von").</summary>
    private static bool IsNamePart(string w) => PersonNameDictionary.GivenNames.Contains(w) || PersonNameDictionary.FamilyNames.Contains(w)
        || w.ToLowerInvariant() is "van" or "von" or "de" or "del" or "der" or "da" or "di" or "la" or "le" or "bin" or "al";

    private static string StripApostrophe(string w) => w.Replace("'", "").Replace("’", "");

    /// <summary>A word of letters (any script, any case: dictionaries decide) with inner apostrophes or hyphens; or an initial.</summary>
    [GeneratedRegex(@"^(\p{L}+(['’-]\p{L}+)*|\p{L}\.)$")]
    private static partial Regex TokenPattern();
}
