using System.Buffers;
using System.Buffers.Binary;

namespace PgClone.Core.Copying;

/// <summary>Rewrites one field of a binary COPY tuple: writes its int32 length (-1 for NULL) and its bytes.</summary>
public interface IFieldRewriter
{
    void Rewrite(ReadOnlySpan<byte> value, bool isNull, IBufferWriter<byte> output);
}

/// <summary>
/// A field rewriter that can also take a non-NULL value in parts, as the chunks bring it, keeping a bounded state
/// (a running hash, a few characters): a value cut by a chunk boundary is then never held whole.
/// </summary>
public interface IPartwiseFieldRewriter : IFieldRewriter
{
    /// <summary>False when this rewriter needs the whole value (the walker then holds a cut value).</summary>
    bool TakesParts { get; }

    void Begin();

    void Append(ReadOnlySpan<byte> part);

    /// <summary>Writes the rewritten field (its length, then its bytes) once the value's last part is in.</summary>
    void End(IBufferWriter<byte> output);
}

/// <summary>
/// Walks the framing of a binary COPY stream as it passes through, chunk by chunk (signature, header extension,
/// int16 field count, int32 field lengths, the -1 trailer): counts its rows and bytes and, given field rewriters,
/// rewrites those fields on the way. Values are skipped, never decoded, and passed on in runs as they arrive; only a
/// rewritten field's value is ever held, and only when a chunk boundary cuts it and its rewriter cannot take it in
/// parts (<see cref="IPartwiseFieldRewriter"/>): memory is one such value at most, never a whole tuple (a row with a
/// 150 MB document beside a masked email once held the row three times over).
/// One walker does both so a masked table's stream is walked once, not once to count and once to rewrite.
/// </summary>
public sealed class BinaryCopyWalker
{
    /// <summary>"PGCOPY\n\377\r\n\0"</summary>
    private static ReadOnlySpan<byte> Signature => [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];
    private const int HeaderLength = 19; // signature (11) + flags (4) + header extension length (4)

    /// <summary>Fixed-size items (Header, FieldCount, FieldLength); a value passing (Skip), held (Value) or rewritten in parts (Parts); the end.</summary>
    private enum State { Header, FieldCount, FieldLength, Skip, Value, Parts, Trailer }

    /// <summary>The rewriter of each field by position; null when the walker only counts.</summary>
    private readonly IFieldRewriter?[]? _rewriters;
    private readonly byte[] _scratch = new byte[HeaderLength];
    private State _state = State.Header;
    private int _need = HeaderLength, _have;
    /// <summary>Bytes left of the header extension or value being skipped or held.</summary>
    private long _remaining;
    /// <summary>The field whose length or value comes next, and the current tuple's field count.</summary>
    private int _field, _fields;
    private byte[]? _value;
    private int _valueFilled;

    /// <summary>A walker that counts only: <see cref="Feed"/> needs no output.</summary>
    public BinaryCopyWalker() { }

    /// <param name="fieldCount">Fields per tuple: a tuple with another count is an error.</param>
    /// <param name="rewriters">The rewriter of each field to rewrite, by position.</param>
    public BinaryCopyWalker(int fieldCount, IReadOnlyDictionary<int, IFieldRewriter> rewriters)
    {
        _rewriters = new IFieldRewriter?[fieldCount];
        foreach (var (field, rewriter) in rewriters) _rewriters[field] = rewriter;
    }

    /// <summary>True when fields are rewritten: <see cref="Feed"/> then writes the stream to its output.</summary>
    public bool Rewrites => _rewriters is not null;

    public long Rows { get; private set; }

    /// <summary>Bytes fed (the stream as read, before any rewrite).</summary>
    public long Bytes { get; private set; }

    /// <summary>True once the -1 trailer was seen: the stream is complete.</summary>
    public bool Complete => _state == State.Trailer;

    /// <param name="output">Where the stream goes on, rewritten; required when <see cref="Rewrites"/>, else ignored.</param>
    public void Feed(ReadOnlySpan<byte> chunk, IBufferWriter<byte>? output = null)
    {
        if (_rewriters is null) output = null;
        else ArgumentNullException.ThrowIfNull(output);
        Bytes += chunk.Length;
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
                    if ((_remaining -= n) == 0) RewriteHeld(output!);
                    continue;
                }
                case State.Parts:
                {
                    var n = (int)Math.Min(_remaining, chunk.Length - pos);
                    var partwise = (IPartwiseFieldRewriter)_rewriters![_field]!;
                    partwise.Append(chunk.Slice(pos, n));
                    run = pos += n;
                    if ((_remaining -= n) == 0)
                    {
                        partwise.End(output!);
                        NextField();
                    }
                    continue;
                }
                case State.Trailer:
                    throw new InvalidDataException("binary COPY stream has data after its trailer");
            }
            if (output is null && _have == 0 && chunk.Length - pos >= _need)
            {
                // Counting only, the whole item in this chunk: nothing to pass on or hold.
                var whole = chunk.Slice(pos, _need);
                pos += _need;
                Consume(whole);
                continue;
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
                    output?.Write(chunk[run..start]);
                    return;
                }
                item = _scratch.AsSpan(0, _need);
                _have = 0;
            }
            if (_state == State.FieldLength && _rewriters?[_field] is { } rewriter)
            {
                // A rewritten field: its length and value are replaced by the rewriter's output.
                output!.Write(chunk[run..start]);
                pos = StartRewrite(rewriter, BinaryPrimitives.ReadInt32BigEndian(item), chunk, pos, output!);
                run = pos;
                continue;
            }
            if (held && output is not null)
            {
                output.Write(chunk[run..start]);
                output.Write(item);
                run = pos;
            }
            Consume(item);
        }
        output?.Write(chunk[run..pos]);
    }

    /// <summary>
    /// Rewrites a field whose length was just read: at once when its value is all in the chunk, else in parts when its
    /// rewriter takes them, else holds it.
    /// </summary>
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
        _remaining = length;
        if (rewriter is IPartwiseFieldRewriter { TakesParts: true } partwise)
        {
            partwise.Begin();
            _state = State.Parts;
            return pos;
        }
        _value = ArrayPool<byte>.Shared.Rent(length);
        _valueFilled = 0;
        _state = State.Value;
        return pos;
    }

    private void RewriteHeld(IBufferWriter<byte> output)
    {
        try { _rewriters![_field]!.Rewrite(_value.AsSpan(0, _valueFilled), false, output); }
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
                if (!item[..11].SequenceEqual(Signature)) throw new InvalidDataException("not a binary COPY stream (bad signature)");
                var extension = BinaryPrimitives.ReadInt32BigEndian(item[15..]);
                if (extension < 0) throw new InvalidDataException("binary COPY header extension length is negative");
                _field = _fields = 0; // the extension is skipped as if it were the last field of a tuple without fields
                if (extension > 0) { _state = State.Skip; _remaining = extension; }
                else Expect(State.FieldCount, 2);
                break;
            case State.FieldCount:
                var count = BinaryPrimitives.ReadInt16BigEndian(item);
                if (count == -1) { _state = State.Trailer; break; }
                if (count < 0) throw new InvalidDataException($"binary COPY tuple has a negative field count {count}");
                if (_rewriters is not null && count != _rewriters.Length)
                    throw new InvalidDataException($"binary COPY tuple has {count} fields, expected {_rewriters.Length}");
                Rows++;
                _fields = count;
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
        if (++_field >= _fields) Expect(State.FieldCount, 2);
        else Expect(State.FieldLength, 4);
    }

    private void Expect(State state, int bytes)
    {
        _state = state;
        _need = bytes;
    }
}
