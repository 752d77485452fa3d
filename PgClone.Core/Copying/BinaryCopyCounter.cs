using System.Buffers.Binary;

namespace PgClone.Core.Copying;

/// <summary>
/// Counts rows and bytes of a binary COPY stream as it passes through, chunk by chunk, by walking only the
/// framing (signature, header extension, int16 field count, int32 field lengths, the -1 trailer). Values are
/// skipped, never decoded, and no state grows with the stream.
/// </summary>
public sealed class BinaryCopyCounter
{
    /// <summary>"PGCOPY\n\377\r\n\0"</summary>
    private static ReadOnlySpan<byte> Signature => [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];
    private const int HeaderLength = 19; // signature (11) + flags (4) + header extension length (4)

    private enum State { Header, HeaderExtension, FieldCount, FieldLength, FieldData, Trailer }

    private readonly byte[] _scratch = new byte[HeaderLength];
    private State _state = State.Header;
    private int _need = HeaderLength;
    private int _have;
    private long _skip;
    private int _fieldsLeft;

    public long Rows { get; private set; }
    public long Bytes { get; private set; }

    /// <summary>True once the -1 trailer was seen: the stream is complete.</summary>
    public bool Complete => _state == State.Trailer;

    public void Feed(ReadOnlySpan<byte> data)
    {
        Bytes += data.Length;
        while (!data.IsEmpty)
        {
            switch (_state)
            {
                case State.HeaderExtension or State.FieldData:
                {
                    var n = (int)Math.Min(_skip, data.Length);
                    data = data[n..];
                    _skip -= n;
                    if (_skip == 0)
                    {
                        if (_state == State.HeaderExtension) Expect(State.FieldCount, 2);
                        else NextField();
                    }
                    continue;
                }
                case State.Trailer:
                    throw new InvalidDataException("binary COPY stream has data after its trailer");
                default:
                    if (_have == 0 && data.Length >= _need)
                    {
                        // Fast path: the whole fixed-size item is in this chunk.
                        var item = data[.._need];
                        data = data[_need..];
                        Consume(item);
                        continue;
                    }
                    var take = Math.Min(_need - _have, data.Length);
                    data[..take].CopyTo(_scratch.AsSpan(_have));
                    _have += take;
                    data = data[take..];
                    if (_have < _need) return;
                    _have = 0;
                    Consume(_scratch.AsSpan(0, _need));
                    continue;
            }
        }
    }

    private void Consume(ReadOnlySpan<byte> item)
    {
        switch (_state)
        {
            case State.Header:
                if (!item[..11].SequenceEqual(Signature)) throw new InvalidDataException("not a binary COPY stream (bad signature)");
                var extension = BinaryPrimitives.ReadInt32BigEndian(item[15..]);
                if (extension < 0) throw new InvalidDataException("binary COPY header extension length is negative");
                if (extension > 0) { _state = State.HeaderExtension; _skip = extension; }
                else Expect(State.FieldCount, 2);
                break;
            case State.FieldCount:
                var fields = BinaryPrimitives.ReadInt16BigEndian(item);
                if (fields == -1) { _state = State.Trailer; break; }
                if (fields < 0) throw new InvalidDataException($"binary COPY tuple has a negative field count {fields}");
                Rows++;
                _fieldsLeft = fields;
                if (fields == 0) Expect(State.FieldCount, 2);
                else Expect(State.FieldLength, 4);
                break;
            case State.FieldLength:
                var length = BinaryPrimitives.ReadInt32BigEndian(item);
                if (length <= 0)
                {
                    if (length < -1) throw new InvalidDataException($"binary COPY field has a negative length {length}");
                    NextField();
                }
                else { _state = State.FieldData; _skip = length; }
                break;
        }
    }

    private void NextField()
    {
        if (--_fieldsLeft == 0) Expect(State.FieldCount, 2);
        else Expect(State.FieldLength, 4);
    }

    private void Expect(State state, int bytes)
    {
        _state = state;
        _need = bytes;
    }
}
