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
/// fields and the trailer are copied unchanged, in runs, as they arrive. Only a rewritten field's value is ever
/// held, and only when a chunk boundary cuts it: memory is one such value at most, never a whole tuple (a row with a
/// 150 MB document beside a masked email once held the row three times over, in growing buffers).
/// </summary>
public sealed class BinaryCopyRewriter
{
    private const int HeaderLength = 19; // signature (11) + flags (4) + header extension length (4)

    /// <summary>Fixed-size items (Header, FieldCount, FieldLength); a value passing (Skip) or held (Value); the end.</summary>
    private enum State { Header, FieldCount, FieldLength, Skip, Value, Trailer }

    private readonly IFieldRewriter?[] _fields;
    private readonly byte[] _scratch = new byte[HeaderLength];
    private State _state = State.Header;
    private int _need = HeaderLength, _have;
    /// <summary>Bytes left of the header extension or value being skipped or held.</summary>
    private long _remaining;
    /// <summary>The field whose length or value comes next; -1 while in the header.</summary>
    private int _field = -1;
    private byte[]? _value;
    private int _valueFilled;

    /// <param name="fieldCount">Fields per tuple: a tuple with another count is an error.</param>
    /// <param name="rewriters">The rewriter of each field to rewrite, by position.</param>
    public BinaryCopyRewriter(int fieldCount, IReadOnlyDictionary<int, IFieldRewriter> rewriters)
    {
        _fields = new IFieldRewriter?[fieldCount];
        foreach (var (field, rewriter) in rewriters) _fields[field] = rewriter;
    }

    /// <summary>True once the -1 trailer went through.</summary>
    public bool Complete => _state == State.Trailer;

    public void Feed(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        var pos = 0;
        var run = 0; // chunk[run..pos] passes unchanged and is not written yet
        while (pos < chunk.Length)
        {
            switch (_state)
            {
                case State.Skip:
                {
                    var n = (int)Math.Min(_remaining, chunk.Length - pos);
                    pos += n;
                    if ((_remaining -= n) == 0) NextField();
                    continue;
                }
                case State.Value:
                {
                    var n = (int)Math.Min(_remaining, chunk.Length - pos);
                    chunk.Slice(pos, n).CopyTo(_value.AsSpan(_valueFilled));
                    _valueFilled += n;
                    run = pos += n;
                    if ((_remaining -= n) == 0) RewriteHeld(output);
                    continue;
                }
                case State.Trailer:
                    throw new InvalidDataException("binary COPY stream has data after its trailer");
            }
            var start = pos;
            ReadOnlySpan<byte> item;
            var held = _have > 0 || chunk.Length - pos < _need;
            if (!held)
            {
                item = chunk.Slice(pos, _need);
                pos += _need;
            }
            else
            {
                // An item cut by the chunk's end waits in the scratch buffer, its bytes not passed on yet.
                var take = Math.Min(_need - _have, chunk.Length - pos);
                chunk.Slice(pos, take).CopyTo(_scratch.AsSpan(_have));
                _have += take;
                pos += take;
                if (_have < _need)
                {
                    output.Write(chunk[run..start]);
                    return;
                }
                item = _scratch.AsSpan(0, _need);
                _have = 0;
            }
            if (_state == State.FieldLength && _fields[_field] is { } rewriter)
            {
                // A rewritten field: its length and value are replaced by the rewriter's output.
                output.Write(chunk[run..start]);
                pos = StartRewrite(rewriter, BinaryPrimitives.ReadInt32BigEndian(item), chunk, pos, output);
                run = pos;
                continue;
            }
            if (held)
            {
                output.Write(chunk[run..start]);
                output.Write(item);
                run = pos;
            }
            Consume(item);
        }
        output.Write(chunk[run..pos]);
    }

    /// <summary>Rewrites a field whose length was just read: at once when its value is all in the chunk, else holds it.</summary>
    /// <returns>The position after what was consumed.</returns>
    private int StartRewrite(IFieldRewriter rewriter, int length, ReadOnlySpan<byte> chunk, int pos, IBufferWriter<byte> output)
    {
        if (length < -1) throw new InvalidDataException($"binary COPY field has a negative length {length}");
        if (length <= 0 || chunk.Length - pos >= length)
        {
            var size = Math.Max(0, length);
            rewriter.Rewrite(chunk.Slice(pos, size), length == -1, output);
            NextField();
            return pos + size;
        }
        _value = ArrayPool<byte>.Shared.Rent(length);
        _valueFilled = 0;
        _remaining = length;
        _state = State.Value;
        return pos;
    }

    private void RewriteHeld(IBufferWriter<byte> output)
    {
        try { _fields[_field]!.Rewrite(_value.AsSpan(0, _valueFilled), false, output); }
        finally
        {
            ArrayPool<byte>.Shared.Return(_value!);
            _value = null;
        }
        NextField();
    }

    private void Consume(ReadOnlySpan<byte> item)
    {
        switch (_state)
        {
            case State.Header:
                var extension = BinaryPrimitives.ReadInt32BigEndian(item[15..]);
                if (extension < 0) throw new InvalidDataException("binary COPY header extension length is negative");
                _field = _fields.Length; // the extension is skipped as if it were a tuple's last field
                if (extension > 0) { _state = State.Skip; _remaining = extension; }
                else Expect(State.FieldCount, 2);
                break;
            case State.FieldCount:
                var count = BinaryPrimitives.ReadInt16BigEndian(item);
                if (count == -1) { _state = State.Trailer; break; }
                if (count != _fields.Length) throw new InvalidDataException($"binary COPY tuple has {count} fields, expected {_fields.Length}");
                _field = -1;
                NextField();
                break;
            case State.FieldLength:
                var length = BinaryPrimitives.ReadInt32BigEndian(item);
                if (length < -1) throw new InvalidDataException($"binary COPY field has a negative length {length}");
                if (length <= 0) NextField();
                else { _state = State.Skip; _remaining = length; }
                break;
        }
    }

    /// <summary>After a field (or the header extension, which counts as past the last field): the next length or tuple.</summary>
    private void NextField()
    {
        if (++_field >= _fields.Length) Expect(State.FieldCount, 2);
        else Expect(State.FieldLength, 4);
    }

    private void Expect(State state, int bytes)
    {
        _state = state;
        _need = bytes;
    }
}
