using System.Buffers;

namespace Pipeline.Host.Webhooks;

internal static class BoundedBody
{
    /// <summary>
    /// Reads the request body, buffering at most <paramref name="limit"/> + 1 bytes: one byte past the
    /// limit is enough to know the body is too large. Null when it is.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var capacity = (int)Math.Min(request.ContentLength ?? 16 * 1024, limit + 1L);
        var buffer = new ArrayBufferWriter<byte>(Math.Max(capacity, 1));
        while (buffer.WrittenCount <= limit)
        {
            var room = buffer.GetMemory(1);
            var read = await request.Body.ReadAsync(room[..Math.Min(room.Length, limit + 1 - buffer.WrittenCount)], cancellationToken);
            if (read == 0)
            {
                return buffer.WrittenMemory;
            }

            buffer.Advance(read);
        }

        return null;
    }
}
