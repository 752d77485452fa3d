using PgClone.Core.Connections;

namespace PgClone.Core.Masking;

/// <summary>What a mask strategy can work on, from the column's type.</summary>
public enum MaskTypeKind { Text, Number, DateTime, Uuid, Array, Other }

/// <summary>
/// Turns a rule into the SQL expression that masks a column, using only built-in PostgreSQL 15 functions
/// (every name pg_catalog-qualified, so it works under the clone's <c>search_path = pg_catalog</c>). The result
/// is cast back to the column's type so COPY into the target column works.
/// Edge cases, decided here once: NULL stays NULL except for null/random_int/constant; an empty string is a value
/// (email/phone/partial give <c>***</c>, name gives <c>XXXX</c>, keep_format gives an empty string); email
/// without <c>@</c> gives <c>***</c>; partial on a string not longer than prefix + suffix gives <c>***</c>
/// (it would otherwise reveal the whole value); phone with fewer than 4 digits gives <c>***</c>; lengths count
/// characters, not bytes; keep_format replaces ASCII digits only.
/// </summary>
public static class MaskExpressions
{
    /// <summary>The expression masking <paramref name="column"/>, or an exception explaining why the rule cannot apply.</summary>
    public static string For(MaskRule rule, MaskColumn column, MaskKeySql key)
    {
        if (rule.IsKeyed && ReferenceEquals(key, MaskKeySql.None))
            throw new InvalidOperationException($"mask strategy {rule.StrategyName} needs the masking secret");
        var c = Sql.Ident(column.Column);
        var kind = KindOf(column);
        var hashed = HashedText(column);
        var sql = rule.Strategy switch
        {
            MaskStrategy.Email => $"CASE WHEN {c} IS NULL THEN NULL WHEN pg_catalog.strpos({c}::text, '@') = 0 THEN '***' " +
                                  $"ELSE pg_catalog.left({c}::text, CASE WHEN pg_catalog.strpos({c}::text, '@') > 1 THEN 1 ELSE 0 END) || '***@' || pg_catalog.split_part({c}::text, '@', -1) END",
            MaskStrategy.Name => $"CASE WHEN {c} IS NULL THEN NULL ELSE 'XXXX' END",
            MaskStrategy.Phone => $"(SELECT CASE WHEN pgclone_m.d IS NULL THEN NULL WHEN pg_catalog.length(pgclone_m.d) < 4 THEN '***' ELSE '***-' || pg_catalog.right(pgclone_m.d, 4) END " +
                                  $"FROM (SELECT pg_catalog.regexp_replace({c}::text, '[^0-9]', '', 'g') AS d) AS pgclone_m)",
            MaskStrategy.Partial => $"CASE WHEN {c} IS NULL THEN NULL WHEN pg_catalog.char_length({c}::text) <= {rule.Prefix + rule.Suffix} THEN '***' " +
                                    $"ELSE pg_catalog.left({c}::text, {rule.Prefix}) || '***' || pg_catalog.right({c}::text, {rule.Suffix}) END",
            MaskStrategy.Hash => Hex($"pg_catalog.md5({hashed})", kind),
            MaskStrategy.Null => "NULL",
            MaskStrategy.RandomInt => $"({Sql.Literal(rule.Min)}::bigint + pg_catalog.floor(pg_catalog.random() * {Sql.Literal(rule.Max - rule.Min + 1)})::bigint)",
            MaskStrategy.Constant => Sql.Literal(rule.Value),
            MaskStrategy.KeyedHash => Hex($"pg_catalog.encode({key.HmacText(hashed)}, 'hex')", kind),
            MaskStrategy.FakeName => Hashed(hashed, key, "n:", $"{Pick(FakeNames.First, 0)} || ' ' || {Pick(FakeNames.Last, 1)}"),
            MaskStrategy.FakeEmail => Hashed(hashed, key, "e:",
                $"pg_catalog.lower({Pick(FakeNames.First, 0)} || '.' || {Pick(FakeNames.Last, 1)}) || " +
                $"((pg_catalog.get_byte(pgclone_m.h, 2) * 256 + pg_catalog.get_byte(pgclone_m.h, 3)) % 1000)::text || '@' || {Pick(FakeNames.Domains, 4)}"),
            MaskStrategy.DateShift => "(SELECT pgclone_m.v + pg_catalog.make_interval(days => " +
                                      $"CASE WHEN pgclone_m.s < {rule.Days} THEN pgclone_m.s - {rule.Days} ELSE pgclone_m.s - {rule.Days} + 1 END) " +
                                      $"FROM (SELECT pgclone_k.v, (pg_catalog.get_byte(pgclone_k.h, 0) * 256 + pg_catalog.get_byte(pgclone_k.h, 1)) % {2 * rule.Days} AS s " +
                                      $"FROM (SELECT {c} AS v, {key.HmacText($"'d:' || EXTRACT(EPOCH FROM {c})::text")} AS h) AS pgclone_k) AS pgclone_m)",
            MaskStrategy.KeepFormat => KeepFormat(c, key, column.FoldsCase),
            MaskStrategy.KeyedEmail => $"CASE WHEN {c} IS NULL THEN NULL ELSE pg_catalog.left(pg_catalog.encode({key.HmacText($"'m:' || {hashed}")}, 'hex'), {KeyedEmailLocal}) || " +
                                       $"CASE WHEN pg_catalog.strpos({c}::text, '@') = 0 THEN '' ELSE '@' || pg_catalog.split_part({c}::text, '@', -1) END END",
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };
        return $"CAST({sql} AS {column.DataType})";
    }

    /// <summary>
    /// The hex digits of keyed_email's local part: 96 bits of the value's HMAC, so distinct addresses stay distinct
    /// (a collision among 10^8 addresses: about 10^-13), in a column of 25 characters or more with the '@'.
    /// </summary>
    public const int KeyedEmailLocal = 24;

    /// <summary>The expression after the checks of <see cref="Problem"/> (and the caller's own), or the error naming server and column.</summary>
    public static string Checked(MaskRule rule, MaskColumn column, MaskKeySql key, ServerEndpoint server, string? problem = null)
    {
        problem ??= Problem(rule, column);
        return problem is null ? For(rule, column, key) : throw Refusal(server, column, problem);
    }

    public static PgCloneException Refusal(ServerEndpoint server, MaskColumn column, string problem) =>
        PgCloneException.For(server, $"column {column.Table.Quoted}.{Sql.Ident(column.Column)}", problem);

    /// <summary>The pg_type.typcategory a strategy works on ('S' string, 'N' numeric, 'D' date/time); null: any.</summary>
    public static char? CategoryNeeded(MaskStrategy strategy) => strategy switch
    {
        MaskStrategy.Null or MaskStrategy.Constant => null,
        MaskStrategy.RandomInt => 'N',
        MaskStrategy.DateShift => 'D',
        _ => 'S',
    };

    /// <summary>Why the rule cannot mask the column (wrong type, unsafe on a key), or null when it can.</summary>
    public static string? Problem(MaskRule rule, MaskColumn column)
    {
        var kind = KindOf(column);
        var fits = rule.Strategy switch
        {
            MaskStrategy.Null or MaskStrategy.Constant => true,
            MaskStrategy.RandomInt => kind == MaskTypeKind.Number,
            MaskStrategy.DateShift => kind == MaskTypeKind.DateTime,
            MaskStrategy.Hash or MaskStrategy.KeyedHash => kind is MaskTypeKind.Text or MaskTypeKind.Uuid,
            _ => kind == MaskTypeKind.Text,
        };
        if (!fits)
            return $"mask strategy \"{rule.StrategyName}\" needs {Needs(rule.Strategy)}, but the column is {column.DataType}";
        if (rule.Strategy == MaskStrategy.KeyedEmail && ColumnMasker.LengthOf(column.DataType) is < KeyedEmailLocal + 1 and var length)
            return $"mask strategy \"{rule.StrategyName}\" writes {KeyedEmailLocal} hashed characters and an '@' before the domain, but the column holds {length}";
        if (rule.Strategy == MaskStrategy.RandomInt && IntegerRange(column.DataType) is var (lowest, highest) && (rule.Min < lowest || rule.Max > highest))
            return $"mask strategy \"{rule.StrategyName}\" draws from {rule.Min} to {rule.Max}, but the column is {column.DataType} ({lowest} to {highest})";
        var keys = new[] { (column.InPrimaryKey, "PRIMARY KEY"), (column.InUnique, "UNIQUE"), (column.InForeignKey, "FOREIGN KEY") }
            .Where(k => k.Item1).Select(k => k.Item2).ToList();
        if (keys.Count > 0 && !rule.KeepsKeys)
            return $"mask strategy \"{rule.StrategyName}\" cannot mask a column in a {string.Join(" and a ", keys)}: " +
                   (rule.IsDeterministic ? "it maps different values to the same mask" : "it is not deterministic") +
                   ", so keys would collide or joins would break; use keyed_hash, keyed_email, keep_format or hash, which keep distinct values distinct";
        return null;
    }

    /// <summary>The values a column of an integer type, or a numeric with a precision, can hold; null for any other type.</summary>
    private static (long Lowest, long Highest)? IntegerRange(string dataType)
    {
        var type = dataType.Trim().ToLowerInvariant();
        if (type.StartsWith("pg_catalog.", StringComparison.Ordinal)) type = type["pg_catalog.".Length..];
        if (type is "smallint") return (short.MinValue, short.MaxValue);
        if (type is "integer") return (int.MinValue, int.MaxValue);
        var numeric = System.Text.RegularExpressions.Regex.Match(type, @"^numeric\((\d+)(?:,(\d+))?\)$");
        if (!numeric.Success) return null;
        var digits = int.Parse(numeric.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) -
                     (numeric.Groups[2].Success ? int.Parse(numeric.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
        // A scale above the precision holds fractions only (numeric(2,3): below 0.01); past 18 digits any long fits.
        if (digits < 0) return (0, 0);
        if (digits > 18) return null;
        var highest = (long)Math.Pow(10, digits) - 1;
        return (-highest, highest);
    }

    private static string Needs(MaskStrategy s) => s switch
    {
        MaskStrategy.RandomInt => "a numeric column",
        MaskStrategy.DateShift => "a date or timestamp column",
        MaskStrategy.Hash or MaskStrategy.KeyedHash => "a text or uuid column",
        _ => "a text column",
    };

    /// <summary>From pg_type.typcategory when the caller read it, else from the type's name.</summary>
    public static MaskTypeKind KindOf(MaskColumn column)
    {
        var type = column.DataType.Trim().ToLowerInvariant();
        if (type.EndsWith("[]", StringComparison.Ordinal) || column.TypeCategory == 'A') return MaskTypeKind.Array;
        if (type is "uuid" or "pg_catalog.uuid") return MaskTypeKind.Uuid;
        if (type is "date" or "pg_catalog.date" || type.StartsWith("timestamp", StringComparison.Ordinal)) return MaskTypeKind.DateTime;
        if (column.TypeCategory is { } category)
            return category switch { 'S' => MaskTypeKind.Text, 'N' => MaskTypeKind.Number, 'D' => MaskTypeKind.DateTime, _ => MaskTypeKind.Other };
        var bare = type.StartsWith("pg_catalog.", StringComparison.Ordinal) ? type["pg_catalog.".Length..] : type;
        if (bare is "text" or "name" or "bpchar" or "varchar" or "char" || bare.StartsWith("character", StringComparison.Ordinal)
            || bare.StartsWith("varchar(", StringComparison.Ordinal) || bare == "citext" || bare.EndsWith(".citext", StringComparison.Ordinal))
            return MaskTypeKind.Text;
        if (bare is "smallint" or "integer" or "bigint" or "real" or "double precision" or "int2" or "int4" or "int8" or "float4" or "float8"
            || bare.StartsWith("numeric", StringComparison.Ordinal) || bare.StartsWith("decimal", StringComparison.Ordinal))
            return MaskTypeKind.Number;
        return MaskTypeKind.Other;
    }

    /// <summary>A hex digest into a text column, or its first 32 digits as a uuid.</summary>
    private static string Hex(string hex, MaskTypeKind kind) => kind == MaskTypeKind.Uuid ? $"pg_catalog.left({hex}, 32)::uuid" : hex;

    /// <summary>
    /// The text a hashing strategy hashes: the value, lower-cased as citext compares it where the column's type
    /// ignores case, so values the source holds equal get equal masks (a citext key and its foreign key).
    /// </summary>
    private static string HashedText(MaskColumn column) =>
        column.FoldsCase ? Folded($"{Sql.Ident(column.Column)}::text") : $"{Sql.Ident(column.Column)}::text";

    /// <summary>A text lower-cased as citext compares it (under the database's default collation).</summary>
    private static string Folded(string text) => $"pg_catalog.lower(({text}) COLLATE pg_catalog.\"default\")";

    /// <summary>Computes the keyed hash of <paramref name="text"/> once per value (as pgclone_m.h) and builds the fake value from its bytes.</summary>
    private static string Hashed(string text, MaskKeySql key, string purpose, string build) =>
        $"(SELECT CASE WHEN pgclone_m.h IS NULL THEN NULL ELSE {build} END FROM (SELECT {key.HmacText($"{Sql.Literal(purpose)} || {text}")} AS h) AS pgclone_m)";

    private static string Pick(string[] list, int hashByte) =>
        $"(ARRAY[{string.Join(", ", list.Select(Sql.Literal))}]::text[])[1 + pg_catalog.get_byte(pgclone_m.h, {hashByte}) % {list.Length}]";

    /// <summary>
    /// Each ASCII digit is shifted by a keyed hash of everything before it; other characters stay. The mapping is
    /// one-to-one (a digit can be recovered from its prefix and the key), so unique and key columns stay unique.
    /// One hash per digit, so it uses the keyed inner hash sha256(ipad || prefix) rather than the full HMAC: only one
    /// byte of each digest (mod 10) ever shows, so length extension gives an attacker nothing, at half the cost.
    /// Where the type ignores case each prefix is hashed lower-cased: the digits of values equal but for case shift alike.
    /// </summary>
    private static string KeepFormat(string c, MaskKeySql key, bool foldsCase)
    {
        const string prefix = "pg_catalog.left(pgclone_m.v, pgclone_s.p::integer - 1)";
        return "(SELECT CASE WHEN pgclone_m.v IS NULL THEN NULL ELSE COALESCE((" +
               "SELECT pg_catalog.string_agg(CASE WHEN pgclone_s.ch ~ '^[0-9]$' THEN " +
               $"((pg_catalog.ascii(pgclone_s.ch) - 48 + pg_catalog.get_byte({key.InnerHashText($"'f:' || {(foldsCase ? Folded(prefix) : prefix)}")}, 0)) % 10)::text " +
               "ELSE pgclone_s.ch END, '' ORDER BY pgclone_s.p) " +
               "FROM pg_catalog.regexp_split_to_table(pgclone_m.v, '') WITH ORDINALITY AS pgclone_s(ch, p)), '') END " +
               $"FROM (SELECT {c}::text AS v) AS pgclone_m)";
    }
}
