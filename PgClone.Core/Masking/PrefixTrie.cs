namespace PgClone.Core.Masking;

/// <summary>
/// keep_format's memo: the byte prefixes of the values seen, as a trie whose nodes hold the shift of a digit that
/// follows the prefix (or -1 until one was computed). Walking it costs one integer-keyed lookup per byte, where a
/// memo keyed by prefix strings hashed the whole prefix at every digit. Bounded: emptied when full, between values.
/// </summary>
internal sealed class PrefixTrie(int limit)
{
    /// <summary>The empty prefix.</summary>
    public const int Root = 0;
    /// <summary>The node of every prefix the full trie could not take: it never holds a shift.</summary>
    private const int Outside = -1;

    private readonly Dictionary<long, int> _children = [];
    private readonly List<short> _shifts = [-1];

    /// <summary>Empties the trie when it is full; called before each value, so a value's walk never sees it emptied.</summary>
    public void StartValue()
    {
        if (_shifts.Count < limit) return;
        _children.Clear();
        _shifts.Clear();
        _shifts.Add(-1);
    }

    /// <summary>The shift of a digit after the node's prefix, or -1 when not known.</summary>
    public int Shift(int node) => node == Outside ? -1 : _shifts[node];

    public void SetShift(int node, byte shift)
    {
        if (node != Outside) _shifts[node] = shift;
    }

    /// <summary>The node of the prefix extended by <paramref name="b"/>, added when there is room.</summary>
    public int Child(int node, byte b)
    {
        if (node == Outside) return Outside;
        var key = ((long)node << 8) | b;
        if (_children.TryGetValue(key, out var child)) return child;
        if (_shifts.Count >= limit) return Outside;
        child = _shifts.Count;
        _shifts.Add(-1);
        _children.Add(key, child);
        return child;
    }
}
