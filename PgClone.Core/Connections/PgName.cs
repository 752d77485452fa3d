using System.Text;

namespace PgClone.Core.Connections;

/// <summary>
/// PostgreSQL names hold at most 63 bytes (NAMEDATALEN - 1); a longer one is silently truncated by the server,
/// so two different long names can collide. Names PgClone makes are cut here, on a character boundary.
/// </summary>
public static class PgName
{
    public const int MaxBytes = 63;

    /// <summary>The longest prefix of <paramref name="name"/> within <paramref name="maxBytes"/> UTF-8 bytes, never splitting a character.</summary>
    public static string Truncate(string name, int maxBytes = MaxBytes)
    {
        if (Encoding.UTF8.GetByteCount(name) <= maxBytes) return name;
        var result = new StringBuilder();
        var bytes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > maxBytes) break;
            bytes += rune.Utf8SequenceLength;
            result.Append(rune.ToString());
        }
        return result.ToString();
    }

    /// <summary><paramref name="name"/> + <paramref name="suffix"/>, the name cut first so the whole fits in 63 bytes.</summary>
    public static string WithSuffix(string name, string suffix) =>
        Truncate(name, MaxBytes - Encoding.UTF8.GetByteCount(suffix)) + suffix;

    /// <summary>
    /// Why a name the user typed names nothing when it is longer than 63 bytes (the server cuts such a name where it
    /// reads it as SQL, so it can never be an object's whole name); "" otherwise.
    /// </summary>
    public static string TooLongHint(string name)
    {
        var bytes = Encoding.UTF8.GetByteCount(name);
        return bytes <= MaxBytes ? "" : $" (the name is {bytes} bytes long; PostgreSQL names hold at most {MaxBytes} bytes, and SQL cuts a longer one to \"{Truncate(name)}\")";
    }

    /// <summary>Refuses a name the user chose for the target that is empty or longer than 63 bytes.</summary>
    public static string CheckTargetName(string name)
    {
        if (name.Length == 0 || name.Trim().Length == 0) throw new PgCloneException("invalid options: target_name is empty");
        if (name.Contains('\0')) throw new PgCloneException("invalid options: target_name contains a NUL character");
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxBytes)
            throw new PgCloneException($"invalid options: target_name \"{name}\" is {bytes} bytes long; PostgreSQL names hold at most {MaxBytes} bytes");
        return name;
    }
}
