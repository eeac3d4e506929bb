using System.Security.Cryptography;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// Each thread's HMAC-SHA256 objects for the last few keys it verified with, reset after each use rather
/// than rebuilt. OpenSSL sets an HMAC up afresh on every one-shot call (fetching the algorithm, a new
/// context, the key schedule), which cost more than hashing a 2 KiB webhook's body; a tenant's keys are
/// decoded once at start, so the same arrays come back request after request. Keys are matched by
/// reference: a signer's freshly decoded key misses and gets an HMAC of its own, as before.
/// </summary>
internal static class ThreadHmacs
{
    /// <summary>Two keys per tenant during a rotation, and a few tenants on one thread.</summary>
    private const int Slots = 4;

    [ThreadStatic]
    private static Slot[]? t_slots;

    [ThreadStatic]
    private static int t_next;

    /// <summary>An HMAC keyed with <paramref name="key"/>, ready for input; leave it reset (GetHashAndReset).</summary>
    public static IncrementalHash For(byte[] key)
    {
        var slots = t_slots ??= new Slot[Slots];
        foreach (var slot in slots)
        {
            if (ReferenceEquals(slot.Key, key))
            {
                return slot.Hmac!;
            }
        }

        // Replaced in turn; the one replaced is disposed, which clears its copy of the key.
        ref var replaced = ref slots[t_next];
        t_next = (t_next + 1) % Slots;
        replaced.Hmac?.Dispose();
        replaced = new Slot(key, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
        return replaced.Hmac!;
    }

    private record struct Slot(byte[]? Key, IncrementalHash? Hmac);
}
