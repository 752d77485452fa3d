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
    /// <summary>Edge keys (parent node &lt;&lt; 8 | byte) and their child nodes; twice the node limit, so probes stay short.</summary>
    private readonly long[] _keys;
    private readonly int[] _children;
    private readonly short[] _shifts;
    private int _nodes = 1;

    public PrefixTrie(int limit)
    {
        _limit = limit;
        var slots = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)limit * 2);
        _mask = slots - 1;
        _keys = new long[slots];
        _children = new int[slots];
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
        var key = ((long)node << 8) | b;
        var slot = (int)((ulong)(key * unchecked((long)0x9E3779B97F4A7C15)) >> 40) & _mask;
        while (true)
        {
            var k = _keys[slot];
            if (k == key) return _children[slot];
            if (k == Empty) break;
            slot = (slot + 1) & _mask;
        }
        if (_nodes >= _limit) return Outside;
        var child = _nodes++;
        _shifts[child] = -1;
        _keys[slot] = key;
        _children[slot] = child;
        return child;
    }

    private void Clear()
    {
        Array.Fill(_keys, Empty);
        _nodes = 1;
        _shifts[Root] = -1;
    }
}
