using System.Text;

namespace Pipeline.Core.Webhooks;

/// <summary>Looks up a request header by name, case-insensitively; null when absent.</summary>
public delegate string? HeaderLookup(string name);

/// <summary>
/// How one vendor signs its webhooks (SPEC §3.1): the verifier the ingress uses, and the signer the
/// operator CLI's <c>send</c> and the tests use. Every scheme is HMAC-SHA256 over the exact raw body,
/// compared in constant time on decoded bytes, with any configured secret (rotation) and any presented
/// signature.
/// </summary>
public abstract class SignatureScheme
{
    /// <summary>The headers the scheme reads, every one required (the vendor's signature and timestamp headers).</summary>
    public abstract IReadOnlyList<string> Headers { get; }

    /// <summary>What a configured secret must look like, for the start-up error (e.g. <c>a whsec_ base64 secret</c>).</summary>
    public virtual string SecretFormat => "a non-empty secret";

    /// <summary>
    /// The HMAC key of a configured secret, decoded once at start, not per request; null when the
    /// secret is not in the scheme's format. By default the UTF-8 bytes of the secret.
    /// </summary>
    public virtual byte[]? KeyFor(string secret) => Encoding.UTF8.GetBytes(secret);

    /// <summary>Checks the request's signature headers against the tenant's keys (from <see cref="KeyFor"/>).</summary>
    public abstract SignatureCheck Verify(
        IReadOnlyList<byte[]> keys, HeaderLookup headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance);

    /// <summary>
    /// The headers the vendor would send for <paramref name="body"/>, signed with <paramref name="secret"/>
    /// at <paramref name="now"/>; <paramref name="eventId"/> for schemes that sign an id header (a fresh one when null).
    /// </summary>
    public abstract IReadOnlyList<KeyValuePair<string, string>> Sign(string secret, ReadOnlySpan<byte> body, DateTimeOffset now, string? eventId = null);
}
