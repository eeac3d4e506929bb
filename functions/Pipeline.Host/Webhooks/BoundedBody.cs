using System.Buffers;
using MinDataRate = Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

internal static class BoundedBody
{
    /// <summary>
    /// Reads the request body, buffering at most <paramref name="limit"/> + 1 bytes: one byte past the
    /// limit is enough to know the body is too large. A body that does not arrive in full is an expected
    /// failure, never an exception: aborted or broken connections (Kestrel's <c>BadHttpRequestException</c>,
    /// <c>ConnectionResetException</c>, <c>IOException</c>) are <see cref="IngressRejection.IncompleteBody"/>,
    /// and a body slower than <paramref name="minRate"/> is <see cref="IngressRejection.BodyTimeout"/>.
    /// The rate is Kestrel's to enforce: a read cancelled from here would leave its body reader in a state
    /// it cannot drain (an Error log per request).
    /// </summary>
    public static async Task<BodyRead> ReadAsync(HttpRequest request, int limit, MinDataRate minRate, ArrayPool<byte>? pool = null)
    {
        pool ??= ArrayPool<byte>.Shared;
        if (request.ContentLength > limit)
        {
            return BodyRead.Refused(IngressRejection.BodyTooLarge);
        }

        if (request.HttpContext.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = minRate;
        }

        // Room for the declared length plus the one byte that would prove it wrong: a body that is as long as it
        // says is read into one array, never grown (doubling a 256 KiB buffer to read its final zero bytes). The
        // array is the pool's, handed back (cleared) when the request is done with it: see BodyRead.Dispose.
        var capacity = (int)Math.Min((request.ContentLength ?? 16 * 1024) + 1, limit + 1L);
        var buffer = pool.Rent(Math.Max(capacity, 1));
        var written = 0;
        try
        {
            while (written <= limit)
            {
                if (written == buffer.Length)
                {
                    buffer = Grow(pool, buffer, written, limit + 1);
                }

                // Not cancelled with the request's token: a read cancelled mid-flight stays "in progress" for Kestrel,
                // whose drain then logs an Error. A client that goes away completes the read with an exception instead.
                var read = await request.Body.ReadAsync(buffer.AsMemory(written, Math.Min(buffer.Length, limit + 1) - written), CancellationToken.None);
                if (read == 0)
                {
                    return BodyRead.Complete(pool, buffer, written);
                }

                written += read;
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away (Kestrel cancels the read of an aborted request); nobody will read the answer.
            BodyRead.Release(pool, buffer);
            return ConnectionGone(request);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            BodyRead.Release(pool, buffer);
            return BodyRead.Refused(e.StatusCode switch
            {
                StatusCodes.Status408RequestTimeout => IngressRejection.BodyTimeout,
                StatusCodes.Status413PayloadTooLarge => IngressRejection.BodyTooLarge,
                _ => IngressRejection.IncompleteBody,
            });
        }
        catch (IOException)
        {
            // ConnectionResetException and friends: the connection broke mid-body.
            BodyRead.Release(pool, buffer);
            return ConnectionGone(request);
        }

        BodyRead.Release(pool, buffer);
        return BodyRead.Refused(IngressRejection.BodyTooLarge);
    }

    /// <summary>A body longer than it said (or that said nothing): a pooled array twice as large, up to the limit.</summary>
    private static byte[] Grow(ArrayPool<byte> pool, byte[] buffer, int written, int most)
    {
        var larger = pool.Rent((int)Math.Min(Math.Max(buffer.Length * 2L, 1), most));
        buffer.AsSpan(0, written).CopyTo(larger);
        BodyRead.Release(pool, buffer);
        return larger;
    }

    /// <summary>
    /// A body whose connection is gone: the request is aborted as well as refused. A reset fails Kestrel's read
    /// after it has marked its body reader as reading, and unless the request is aborted Kestrel then drains that
    /// reader after the response and logs an Error ("Reading is already in progress.") — one per reset, racing the
    /// transport's own abort. An aborted request is not drained, and nobody is there to read the answer anyway.
    /// </summary>
    private static BodyRead ConnectionGone(HttpRequest request)
    {
        request.HttpContext.Abort();
        return BodyRead.Refused(IngressRejection.IncompleteBody);
    }
}

/// <summary>
/// The body, or why there is none. The body lives in an array from the pool, which <see cref="Dispose"/> hands
/// back cleared (it can hold personal data, and the pool gives it to any other renter): dispose it only after
/// everything that reads the body (the parsed document, the published message) is done.
/// </summary>
internal readonly record struct BodyRead(ReadOnlyMemory<byte> Body, IngressRejection? Rejection, ArrayPool<byte>? Pool, byte[]? Rented) : IDisposable
{
    public static BodyRead Complete(ArrayPool<byte> pool, byte[] rented, int length) => new(rented.AsMemory(0, length), null, pool, rented);

    public static BodyRead Refused(IngressRejection rejection) => new(default, rejection, null, null);

    public void Dispose()
    {
        if (Pool is not null && Rented is not null)
        {
            Release(Pool, Rented);
        }
    }

    public static void Release(ArrayPool<byte> pool, byte[] rented) => pool.Return(rented, clearArray: true);
}
