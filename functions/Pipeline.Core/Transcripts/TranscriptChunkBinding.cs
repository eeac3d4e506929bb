using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Core.Transcripts;

/// <summary>
/// What each chunk of a sealed transcript is bound to: its associated data,
/// <c>"PLTR" ‖ version ‖ compression ‖ plaintext length (u64) ‖ len(tenant) (u16) ‖ tenant ‖
/// len(id) (u16) ‖ id ‖ i (u32) ‖ final (u8)</c>, strings in UTF-8, integers big-endian. The header part is
/// built once per transcript; the position is rewritten in place for each chunk.
/// </summary>
internal static class TranscriptChunkBinding
{
    private static readonly byte[] Magic = "PLTR"u8.ToArray();

    /// <summary>The associated data with room for the chunk index and final flag at the end.</summary>
    public static byte[] Create(byte version, TranscriptCompression compression, long plaintextLength, TranscriptContext context)
    {
        var tenant = Encoding.UTF8.GetBytes(context.Tenant);
        var id = Encoding.UTF8.GetBytes(context.TranscriptId);
        if (tenant.Length > ushort.MaxValue || id.Length > ushort.MaxValue)
        {
            throw new ArgumentException("Tenant and transcript id must each be under 64 KiB.", nameof(context));
        }

        var aad = new byte[Magic.Length + 2 + 8 + 2 + tenant.Length + 2 + id.Length + 5];
        var span = aad.AsSpan();
        Magic.CopyTo(span);
        span = span[Magic.Length..];
        span[0] = version;
        span[1] = (byte)compression;
        BinaryPrimitives.WriteInt64BigEndian(span[2..], plaintextLength);
        span = span[10..];
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)tenant.Length);
        tenant.CopyTo(span[2..]);
        span = span[(2 + tenant.Length)..];
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)id.Length);
        id.CopyTo(span[2..]);
        return aad;
    }

    public static void SetPosition(byte[] aad, int index, bool final)
    {
        BinaryPrimitives.WriteUInt32BigEndian(aad.AsSpan(aad.Length - 5), (uint)index);
        aad[^1] = final ? (byte)1 : (byte)0;
    }
}
