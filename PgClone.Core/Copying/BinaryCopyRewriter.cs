using System.Buffers;
using System.Buffers.Binary;

namespace PgClone.Core.Copying;

/// <summary>Rewrites one field of a binary COPY tuple: writes its int32 length (-1 for NULL) and its bytes.</summary>
public interface IFieldRewriter
{
    void Rewrite(ReadOnlySpan<byte> value, bool isNull, IBufferWriter<byte> output);
}

/// <summary>
/// Rewrites chosen fields of a binary COPY stream as it passes through, chunk by chunk: the header, the other
/// fields and the trailer are copied unchanged. A tuple cut by a chunk boundary waits for the next chunk, so
/// memory holds one chunk plus at most one tuple.
/// </summary>
public sealed class BinaryCopyRewriter
{
    private const int HeaderLength = 19; // signature (11) + flags (4) + header extension length (4)
    private readonly IFieldRewriter?[] _fields;
    private byte[] _pending = [];
    private int _pendingLength;
    private bool _headerDone, _ended;

    /// <param name="fieldCount">Fields per tuple: a tuple with another count is an error.</param>
    /// <param name="rewriters">The rewriter of each field to rewrite, by position.</param>
    public BinaryCopyRewriter(int fieldCount, IReadOnlyDictionary<int, IFieldRewriter> rewriters)
    {
        _fields = new IFieldRewriter?[fieldCount];
        foreach (var (field, rewriter) in rewriters) _fields[field] = rewriter;
    }

    /// <summary>True once the -1 trailer went through.</summary>
    public bool Complete => _ended;

    public void Feed(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        if (_pendingLength == 0)
        {
            var used = Process(chunk, output);
            Keep(chunk[used..]);
            return;
        }
        if (_pending.Length < _pendingLength + chunk.Length) Array.Resize(ref _pending, Math.Max(_pendingLength + chunk.Length, 2 * _pending.Length));
        chunk.CopyTo(_pending.AsSpan(_pendingLength));
        var data = _pending.AsSpan(0, _pendingLength + chunk.Length);
        var consumed = Process(data, output);
        Keep(data[consumed..]);
    }

    /// <summary>Keeps an unfinished tuple for the next chunk (the span may lie inside the pending buffer itself).</summary>
    private void Keep(ReadOnlySpan<byte> rest)
    {
        if (rest.Length > _pending.Length) Array.Resize(ref _pending, Math.Max(rest.Length, 1 << 12));
        rest.CopyTo(_pending);
        _pendingLength = rest.Length;
    }

    /// <summary>Rewrites every complete item of <paramref name="data"/>; returns the bytes consumed.</summary>
    private int Process(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var pos = 0;
        if (!_headerDone)
        {
            if (data.Length < HeaderLength) return 0;
            var extension = BinaryPrimitives.ReadInt32BigEndian(data[15..]);
            if (extension < 0) throw new InvalidDataException("binary COPY header extension length is negative");
            if (data.Length < HeaderLength + extension) return 0;
            pos = HeaderLength + extension;
            _headerDone = true;
        }
        // Bytes that pass unchanged (the header too) are written in runs, from `copied` up to the next rewritten field.
        var copied = 0;
        while (pos < data.Length)
        {
            if (_ended) throw new InvalidDataException("binary COPY stream has data after its trailer");
            if (data.Length - pos < 2) break;
            var count = BinaryPrimitives.ReadInt16BigEndian(data[pos..]);
            if (count == -1)
            {
                pos += 2;
                _ended = true;
                continue;
            }
            if (count != _fields.Length) throw new InvalidDataException($"binary COPY tuple has {count} fields, expected {_fields.Length}");
            if (TupleEnd(data, pos + 2, count) is not { } end) break;
            var p = pos + 2;
            for (var f = 0; f < count; f++)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(data[p..]);
                var size = Math.Max(0, length);
                if (_fields[f] is { } rewriter)
                {
                    output.Write(data[copied..p]);
                    rewriter.Rewrite(data.Slice(p + 4, size), length == -1, output);
                    copied = p + 4 + size;
                }
                p += 4 + size;
            }
            pos = end;
        }
        output.Write(data[copied..pos]);
        return pos;
    }

    /// <summary>Where the tuple whose first field starts at <paramref name="p"/> ends, or null when it is not all in <paramref name="data"/>.</summary>
    private static int? TupleEnd(ReadOnlySpan<byte> data, int p, int count)
    {
        for (var f = 0; f < count; f++)
        {
            if (data.Length - p < 4) return null;
            var length = BinaryPrimitives.ReadInt32BigEndian(data[p..]);
            if (length < -1) throw new InvalidDataException($"binary COPY field has a negative length {length}");
            p += 4 + Math.Max(0, length);
            if (p > data.Length) return null;
        }
        return p;
    }
}
