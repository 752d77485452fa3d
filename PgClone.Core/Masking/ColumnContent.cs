using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PgClone.Core.Masking;

/// <summary>One reason discovery flags a column by its content: the category, the share of sampled values that fired, and why, in words.</summary>
public sealed record ContentFinding(string Category, double Share, string Evidence);

/// <summary>
/// Tallies the sampled values of one column (held only while the table is sampled; only counts are kept) and
/// turns the counts into findings: value shapes (email, phone, card, IBAN, ...), credentials, person names, and
/// the keys and values inside JSON documents. Each finding needs a high share of the sampled values, so a column
/// where a few values happen to look like something is not flagged.
/// </summary>
public sealed class ColumnContent(string column)
{
    /// <summary>A column is flagged by a value shape when at least this share of its sampled non-NULL values match.</summary>
    public const double ShapeShare = 0.5;
    /// <summary>Person names: this share must be name-shaped with a dictionary hit, and <see cref="FullNameShare"/> both given and family name.</summary>
    public const double NameShare = 0.6, FullNameShare = 0.3, GivenOnlyShare = 0.8;
    /// <summary>A sensitive key (<c>"email"</c>, <c>"ssn"</c>) in at least this share of a JSON column's documents.</summary>
    public const double JsonKeyShare = 0.3;

    private readonly Dictionary<string, int> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _secretKinds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Rows, SortedSet<string> Keys)> _jsonKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _jsonValues = new(StringComparer.Ordinal);
    private readonly HashSet<string> _givenOnly = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _familyOnly = new(StringComparer.OrdinalIgnoreCase);
    private int _fullNames, _partialNames, _givenOnlyCount, _familyOnlyCount, _jsonDocs;

    public int NonNull { get; private set; }

    public void Add(string value, bool json)
    {
        NonNull++;
        var trimmed = value.TrimStart();
        if ((json || trimmed.StartsWith('{')) && TryParseObject(value) is { } doc)
        {
            AddJson(doc);
            return;
        }
        if (CredentialShapes.KindOf(value) is { } kind) _secretKinds[kind] = _secretKinds.GetValueOrDefault(kind) + 1;
        else if (ValueShapes.CategoryOf(value) is { } shape) _shapes[shape] = _shapes.GetValueOrDefault(shape) + 1;
        else
            switch (PersonNames.Classify(value))
            {
                case NameMatch.Full: _fullNames++; break;
                case NameMatch.Partial: _partialNames++; break;
                case NameMatch.GivenOnly: _givenOnlyCount++; _givenOnly.Add(value.Trim()); break;
                case NameMatch.FamilyOnly: _familyOnlyCount++; _familyOnly.Add(value.Trim()); break;
            }
    }

    public IReadOnlyList<ContentFinding> Findings()
    {
        var findings = new List<ContentFinding>();
        if (NonNull == 0) return findings;
        var shapeTotal = _shapes.Values.Sum();
        if (shapeTotal >= ShapeShare * NonNull)
        {
            // Mixed contact columns (emails and phones) count together; the commonest shape names the category.
            var best = _shapes.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).First();
            var mix = _shapes.Where(s => s.Value >= 0.1 * NonNull).OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Key);
            findings.Add(new(best.Key, Share(shapeTotal), $"{Percent(shapeTotal)} of {NonNull} sampled non-null values look like {string.Join(" or ", mix)}"));
        }
        var secrets = _secretKinds.Values.Sum();
        if (secrets >= ShapeShare * NonNull)
        {
            var kind = _secretKinds.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).First().Key;
            if (!NotSecretByName(kind))
                findings.Add(new(SensitiveCategory.Secret, Share(secrets), $"{Percent(secrets)} of {NonNull} sampled non-null values look like secret ({kind})"));
        }
        var named = _fullNames + _partialNames;
        if (named >= NameShare * NonNull && _fullNames >= FullNameShare * NonNull)
            findings.Add(new(SensitiveCategory.Name, Share(named),
                $"{Percent(named)} of {NonNull} sampled non-null values look like name ({Percent(_fullNames)} with a known given and family name)"));
        else if (_givenOnlyCount >= GivenOnlyShare * NonNull && _givenOnly.Count >= Math.Min(5, NonNull))
            findings.Add(new(SensitiveCategory.Name, Share(_givenOnlyCount), $"{Percent(_givenOnlyCount)} of {NonNull} sampled non-null values look like name (known given names)"));
        else if (_familyOnlyCount >= GivenOnlyShare * NonNull && _familyOnly.Count >= Math.Min(5, NonNull))
            findings.Add(new(SensitiveCategory.Name, Share(_familyOnlyCount), $"{Percent(_familyOnlyCount)} of {NonNull} sampled non-null values look like name (known family names)"));
        foreach (var (category, (rows, keys)) in _jsonKeys.OrderBy(k => k.Key, StringComparer.Ordinal))
            if (rows >= JsonKeyShare * NonNull)
                findings.Add(new(category, Share(rows), $"JSON key {string.Join(", ", keys.Select(k => $"\"{k}\""))} in {Percent(rows)} of {NonNull} sampled values"));
        foreach (var (category, rows) in _jsonValues.OrderBy(k => k.Key, StringComparer.Ordinal))
            if (rows >= ShapeShare * NonNull && !_jsonKeys.ContainsKey(category))
                findings.Add(new(category, Share(rows), $"JSON values that look like {category} in {Percent(rows)} of {NonNull} sampled values"));
        return findings.OrderByDescending(f => f.Share).ToList();
    }

    /// <summary>A bare digest or an opaque id under a name that says what it is (a file checksum, a commit, a reference) is not a credential.</summary>
    private bool NotSecretByName(string kind)
    {
        var words = SensitiveNames.Words(column);
        string[] digestNames = ["checksum", "etag", "crc", "commit", "revision", "rev", "sha", "git", "file", "content", "blob", "object", "fingerprint", "md5sum"];
        string[] idNames = ["id", "ids", "uid", "guid", "ref", "reference", "slug", "sku", "tracking", "number", "no", "url", "path", "filename", "handle", "external"];
        // A 32-digit hex id is as likely a UUID written without dashes as an md5 digest.
        return kind == CredentialShapes.HexDigest ? words.Any(w => digestNames.Contains(w) || idNames.Contains(w))
            : kind is "random token" or "hex token" && words.Any(idNames.Contains);
    }

    private void AddJson(JsonObject doc)
    {
        _jsonDocs++;
        var keyHits = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var valueHits = new HashSet<string>(StringComparer.Ordinal);
        Walk(doc, 0, keyHits, valueHits);
        foreach (var (category, keys) in keyHits)
        {
            var (rows, set) = _jsonKeys.GetValueOrDefault(category, (0, new SortedSet<string>(StringComparer.Ordinal)));
            set.UnionWith(keys);
            _jsonKeys[category] = (rows + 1, set);
        }
        foreach (var category in valueHits) _jsonValues[category] = _jsonValues.GetValueOrDefault(category) + 1;
    }

    private static void Walk(JsonNode? node, int depth, Dictionary<string, List<string>> keyHits, HashSet<string> valueHits)
    {
        if (depth > 4) return;
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                {
                    var text = child is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
                    var category = SensitiveNames.CategoryOf("", key)
                        // A bare "name" key names products as often as people: it counts when its value is a person's name.
                        ?? (SensitiveNames.Words(key) is ["name"] && text is not null && PersonNames.Classify(text) is NameMatch.Full or NameMatch.Partial ? SensitiveCategory.Name : null);
                    var leaf = child is JsonValue leafValue ? leafValue.GetValueKind() switch { JsonValueKind.String => 'S', JsonValueKind.Number => 'N', _ => '?' } : '?';
                    if (category is not null && leaf != '?' && SensitiveNames.TypeFits(category, leaf, leaf == 'N' ? "numeric" : "text"))
                        (keyHits.TryGetValue(category, out var list) ? list : keyHits[category] = []).Add(key);
                    if (text is not null && ValueCategory(text) is { } byValue) valueHits.Add(byValue);
                    Walk(child, depth + 1, keyHits, valueHits);
                }
                break;
            case JsonArray a:
                foreach (var child in a.Take(20)) Walk(child, depth + 1, keyHits, valueHits);
                break;
        }
    }

    private static string? ValueCategory(string text) =>
        CredentialShapes.KindOf(text) is not null ? SensitiveCategory.Secret
        : ValueShapes.CategoryOf(text) ?? (PersonNames.Classify(text) == NameMatch.Full ? SensitiveCategory.Name : null);

    private static JsonObject? TryParseObject(string value)
    {
        try { return JsonNode.Parse(value) as JsonObject; }
        catch (JsonException) { return null; }
    }

    private double Share(int count) => (double)count / NonNull;

    private string Percent(int count) => Share(count).ToString("P0", CultureInfo.InvariantCulture).Replace(" ", "");
}
