using System.Security.Cryptography;
using System.Text;
using PgClone.Core.Masking;

namespace PgClone.Tests.Core.Masking;

/// <summary>Both SHA-256 kernels give .NET's own HMAC-SHA256 and inner hashes, for messages across block boundaries.</summary>
public sealed class Sha256KernelTests
{
    private static readonly MaskingSecret Secret = MaskingSecret.FromText("kernel-test-secret-0123456789");

    public static TheoryData<int> Lengths() => [0, 1, 31, 55, 56, 63, 64, 65, 119, 120, 200, 1000];

    [Fact]
    public void The_native_kernel_is_used_on_this_machine() =>
        Assert.IsType<NativeSha256>(Sha256Kernel.Create(Secret));

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Hmac_equals_dotnet_hmac(int length)
    {
        var message = Message(length);
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes("kernel-test-secret-0123456789"), (byte[])[.. "d:"u8, .. message]);
        foreach (var kernel in Kernels())
        {
            var digest = new byte[32];
            kernel.Hmac("d:"u8, message, digest);
            Assert.Equal(expected, digest);
            // The reused state does not leak into the next value.
            kernel.Hmac("d:"u8, message, digest);
            Assert.Equal(expected, digest);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Running_inner_hash_equals_sha256_of_the_padded_key_and_each_prefix(int length)
    {
        var message = Message(length);
        foreach (var kernel in Kernels())
        {
            kernel.BeginInner("f:"u8);
            for (var i = 0; i <= message.Length; i += Math.Max(1, message.Length / 7))
            {
                Assert.Equal(Secret.InnerHash("f:" + Encoding.Latin1.GetString(message, 0, i))[0], kernel.InnerFirstByte());
                if (i < message.Length) kernel.AppendInner(message.AsSpan(i, Math.Min(Math.Max(1, message.Length / 7), message.Length - i)));
            }
        }
    }

    private static Sha256Kernel[] Kernels() => [new NativeSha256(Secret), new ManagedSha256(Secret)];

    /// <summary>ASCII bytes, so Latin-1 and UTF-8 read them alike.</summary>
    private static byte[] Message(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)('a' + i % 26))];
}

/// <summary>keep_format's prefix memo (exact keys, slots replaced by newer prefixes) never changes a value.</summary>
public sealed class KeepFormatMemoTests
{
    [Fact]
    public void Keep_format_stays_exact_when_the_prefix_memo_overflows()
    {
        var secret = MaskingSecret.FromText("memo-test-secret-0123456789");
        var values = new MaskValues(secret);
        var rule = MaskRule.Parse(System.Text.Json.Nodes.JsonValue.Create("keep_format"), "c");
        // 20,000 distinct addresses, twice: 110,966 distinct prefixes (90,748 within the 14 bytes it keys on) through the
        // memo's 16,384 slots, short ones found again, long ones always hashed.
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < 20_000; i++)
            {
                var v = $"10.{i % 256}.{i / 256 % 256}.{i % 7}:{i}";
                Assert.Equal(Reference(secret, v), values.Text(rule, v));
            }
        }
        // Digits on both sides of the memo's 8-byte words and its 14-byte limit; prefixes equal in their first 8 or 14
        // bytes but not in length or later bytes.
        foreach (var v in new[] { "1234567", "12345678", "123456789", "1234567890123", "12345678901234", "123456789012345",
                     "1234567890123456789", "00000000000000", "000000000000000", "0000000000000000", "abcdefgh1", "abcdefgh12",
                     "abcdefghijklm1", "abcdefghijklmn1", "abcdefghijklmno1", "abcdefgh", "1", "", "12345678901234", "1234567" })
            Assert.Equal(Reference(secret, v), values.Text(rule, v));
        // Prefixes longer than the memo's key, equal in its 14 bytes: each is hashed, never taken for another.
        for (var b = 0; b < 10; b++)
        {
            var v = $"12345678901234{b}678";
            Assert.Equal(Reference(secret, v), values.Text(rule, v));
        }
        // Non-ASCII text around the digits keeps its bytes.
        Assert.Equal(Reference(secret, "Zoë 12 日本 345 😀6"), values.Text(rule, "Zoë 12 日本 345 😀6"));
    }

    /// <summary>The SQL's definition, one hash per digit: sha256(ipad || "f:" || the UTF-8 before it), byte 0.</summary>
    private static string Reference(MaskingSecret secret, string v)
    {
        var source = Encoding.UTF8.GetBytes(v);
        var bytes = source.ToArray();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] is < (byte)'0' or > (byte)'9') continue;
            var shift = secret.InnerHash("f:" + Encoding.UTF8.GetString(source, 0, i))[0];
            bytes[i] = (byte)('0' + (bytes[i] - '0' + shift) % 10);
        }
        return Encoding.UTF8.GetString(bytes);
    }
}

/// <summary>
/// partial on bytes that are not UTF-8 (a SQL_ASCII database's): runs of continuation bytes longer than UTF-8 allows are
/// left out of the kept characters, so the mask stays within its room, whole or in parts.
/// </summary>
public sealed class PartialOnInvalidUtf8Tests
{
    [Fact]
    public void Long_runs_of_continuation_bytes_are_not_kept_whole_or_in_parts()
    {
        var values = new MaskValues(null);
        var rule = MaskRule.Parse(System.Text.Json.Nodes.JsonNode.Parse("""{"type": "partial", "prefix": 1, "suffix": 1}"""), "c");
        byte[] value = [0xB1, 0xB1, (byte)'a', .. Enumerable.Repeat((byte)0xB1, 20), (byte)'b', (byte)'c', .. Enumerable.Repeat((byte)0x80, 9)];
        byte[] expected = [(byte)'a', 0xB1, 0xB1, 0xB1, (byte)'*', (byte)'*', (byte)'*', (byte)'c', 0x80, 0x80, 0x80];
        var room = new byte[MaskValues.MaxUtf8Length(rule, value)];
        Assert.Equal(expected, room[..values.Utf8(rule, value, room)]);
        for (var cut = 1; cut < value.Length; cut++)
        {
            values.BeginParts(rule);
            values.AppendPart(rule, value.AsSpan(0, cut));
            values.AppendPart(rule, value.AsSpan(cut));
            var parts = new byte[MaskValues.MaxPartsLength(rule)];
            Assert.Equal(expected, parts[..values.EndParts(rule, parts)]);
        }
    }
}
