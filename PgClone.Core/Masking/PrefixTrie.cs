namespace PgClone.Core.Masking;

/// <summary>
/// keep_format's memo: the byte prefixes of the values seen, as a trie whose nodes hold the shift of a digit that
/// follows the prefix (or -1 until one was computed). Walking it costs one probe of an open-addressing table per
/// byte, where a memo keyed by prefix strings hashed the whole prefix at every digit. Bounded: emptied when full,
/// between values.
/// </summary>
internal sealed class PrefixTrie
{
    /// <summary>The empty prefix.</summary>
    public const int Root = 0;
    /// <summary>The node of every prefix the full trie could not take: it never holds a shift.</summary>
    private const int Outside = -1;
    private const long Empty = -1;

    private readonly int _limit;
    private readonly int _mask;
    /// <summary>
    /// The edges: key (parent node &lt;&lt; 8 | byte) in the high half, child node in the low half, so a probe reads one
    /// word (with keys and children in two arrays, each step of a walk missed the cache twice: 23 % of a masked run's
    /// CPU was this method). Twice the node limit, so probes stay short.
    /// </summary>
    private readonly long[] _edges;
    private readonly short[] _shifts;
    private int _nodes = 1;

    public PrefixTrie(int limit)
    {
        if (limit > 1 << 23) throw new ArgumentOutOfRangeException(nameof(limit), "a node and a byte must fit in 31 bits");
        _limit = limit;
        var slots = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)limit * 2);
        _mask = slots - 1;
        _edges = new long[slots];
        _shifts = new short[limit];
        Clear();
    }

    /// <summary>Empties the trie when it is full; called before each value, so a value's walk never sees it emptied.</summary>
    public void StartValue()
    {
        if (_nodes >= _limit) Clear();
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
        var key = (node << 8) | b;
        var slot = (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> 40) & _mask;
        while (true)
        {
            var edge = _edges[slot];
            if (edge == Empty) break;
            if ((int)(edge >> 32) == key) return (int)edge;
            slot = (slot + 1) & _mask;
        }
        if (_nodes >= _limit) return Outside;
        var child = _nodes++;
        _shifts[child] = -1;
        _edges[slot] = ((long)key << 32) | (uint)child;
        return child;
    }

    private void Clear()
    {
        Array.Fill(_edges, Empty);
        _nodes = 1;
        _shifts[Root] = -1;
    }
}
