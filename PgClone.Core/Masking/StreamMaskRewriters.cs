using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using PgClone.Core.Copying;

namespace PgClone.Core.Masking;

/// <summary>
/// The field rewriters of the columns a clone masks on the stream (<see cref="StreamMask"/>): each decodes the
/// binary COPY value, masks it with <see cref="MaskValues"/> and encodes the result in the column's binary format.
/// </summary>
internal static class StreamMaskRewriters
{
    /// <summary>PostgreSQL's epoch, 2000-01-01, as Unix seconds.</summary>
    private const long PostgresEpoch = 946_684_800;
    private const long MicrosPerDay = 86_400_000_000;

    /// <summary>The rewriter of a table's stream masks, or null when it has none.</summary>
    public static BinaryCopyWalker? For(int fieldCount, IReadOnlyList<StreamMask> masks, Func<MaskingSecret> secret)
    {
        if (masks.Count == 0) return null;
        var values = new MaskValues(masks.Any(m => m.Rule.IsKeyed) ? secret() : null);
        return new BinaryCopyWalker(fieldCount, masks.ToDictionary(m => m.Field, m => Field(m, values)));
    }

    private static IFieldRewriter Field(StreamMask mask, MaskValues values) => mask.Type switch
    {
        StreamMaskType.Text => new TextField(mask.Rule, mask.MaxLength, values),
        StreamMaskType.Uuid => new UuidField(values),
        StreamMaskType.Date => new DateField(mask.Rule, values),
        StreamMaskType.Timestamp => new TimestampField(mask.Rule, values),
        _ => throw new ArgumentOutOfRangeException(nameof(mask)),
    };

    private static void WriteNull(IBufferWriter<byte> output) => WriteLength(output, -1);

    private static void WriteLength(IBufferWriter<byte> output, int length)
    {
        BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), length);
        output.Advance(4);
    }

    /// <summary>A text value masked whole or, when it comes in parts and the strategy keeps a small state, in parts.</summary>
    private sealed class TextField(MaskRule rule, int maxLength, MaskValues values) : IPartwiseFieldRewriter
    {
        public bool TakesParts { get; } = MaskValues.TakesParts(rule.Strategy);

        public void Rewrite(ReadOnlySpan<byte> value, bool isNull, IBufferWriter<byte> output)
        {
            if (isNull) { WriteNull(output); return; }
            var room = output.GetSpan(4 + MaskValues.MaxUtf8Length(rule, value));
            Finish(room, values.Utf8(rule, value, room[4..]), output);
        }

        public void Begin() => values.BeginParts(rule);

        public void Append(ReadOnlySpan<byte> part) => values.AppendPart(rule, part);

        public void End(IBufferWriter<byte> output)
        {
            var room = output.GetSpan(4 + MaskValues.MaxPartsLength(rule));
            Finish(room, values.EndParts(rule, room[4..]), output);
        }

        /// <summary>Writes the length of the <paramref name="written"/> bytes after it, cut as CAST(... AS character varying(n)) keeps the first n characters.</summary>
        private void Finish(Span<byte> room, int written, IBufferWriter<byte> output)
        {
            if (maxLength > 0) written = MaskValues.Utf8Prefix(room.Slice(4, written), maxLength);
            BinaryPrimitives.WriteInt32BigEndian(room, written);
            output.Advance(4 + written);
        }
    }

    /// <summary>keyed_hash into a uuid column: the first 16 bytes of the digest (the source sends the uuid as text).</summary>
    private sealed class UuidField(MaskValues values) : IFieldRewriter
    {
        public void Rewrite(ReadOnlySpan<byte> value, bool isNull, IBufferWriter<byte> output)
        {
            if (isNull) { WriteNull(output); return; }
            WriteLength(output, 16);
            values.KeyedHashUtf8(value)[..16].CopyTo(output.GetSpan(16));
            output.Advance(16);
        }
    }

    /// <summary>date_shift on a date: int32 days since 2000-01-01; ±infinity stay. Dates repeat, so shifts are memoized.</summary>
    private sealed class DateField(MaskRule rule, MaskValues values) : IFieldRewriter
    {
        private readonly Dictionary<int, int> _shifts = [];

        public void Rewrite(ReadOnlySpan<byte> value, bool isNull, IBufferWriter<byte> output)
        {
            if (isNull) { WriteNull(output); return; }
            var days = BinaryPrimitives.ReadInt32BigEndian(value);
            if (days is not (int.MaxValue or int.MinValue))
            {
                if (!_shifts.TryGetValue(days, out var shift))
                {
                    if (_shifts.Count >= 1 << 16) _shifts.Clear();
                    _shifts[days] = shift = values.ShiftDays(rule, (PostgresEpoch + days * 86_400L).ToString(CultureInfo.InvariantCulture));
                }
                days += shift;
            }
            WriteLength(output, 4);
            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), days);
            output.Advance(4);
        }
    }

    /// <summary>date_shift on a timestamp: int64 microseconds since 2000-01-01; ±infinity stay.</summary>
    private sealed class TimestampField(MaskRule rule, MaskValues values) : IFieldRewriter
    {
        public void Rewrite(ReadOnlySpan<byte> value, bool isNull, IBufferWriter<byte> output)
        {
            if (isNull) { WriteNull(output); return; }
            var micros = BinaryPrimitives.ReadInt64BigEndian(value);
            if (micros is not (long.MaxValue or long.MinValue))
                micros += values.ShiftDays(rule, EpochText(micros)) * MicrosPerDay;
            WriteLength(output, 8);
            BinaryPrimitives.WriteInt64BigEndian(output.GetSpan(8), micros);
            output.Advance(8);
        }

        /// <summary>EXTRACT(EPOCH FROM timestamp)::text: a numeric with 6 decimals.</summary>
        private static string EpochText(long micros)
        {
            var unix = (Int128)micros + PostgresEpoch * 1_000_000L;
            var sign = unix < 0 ? "-" : "";
            var abs = Int128.Abs(unix);
            return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 1_000_000}.{(long)(abs % 1_000_000):D6}");
        }
    }
}
