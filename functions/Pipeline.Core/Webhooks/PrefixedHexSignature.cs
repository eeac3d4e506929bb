namespace Pipeline.Core.Webhooks;

/// <summary>
/// One header holding <c>sha256=</c> + lowercase hex HMAC-SHA256 of the raw body, keyed with the UTF-8
/// secret: TwinMind's <c>x-twinmind-signature</c> and GitHub's <c>X-Hub-Signature-256</c>. It carries
/// no timestamp, so the replay defence is the event key deduplication.
/// </summary>
public sealed class PrefixedHexSignature(string header) : SignatureScheme
{
    private const string Prefix = "sha256=";

    /// <summary>The signature header's name.</summary>
    public string Header { get; } = header;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Headers => [Header];

    /// <inheritdoc/>
    public override SignatureCheck Verify(
        IReadOnlyList<byte[]> keys, HeaderLookup headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var signature = headers(Header);
        if (string.IsNullOrEmpty(signature))
        {
            return SignatureCheck.MissingHeaders;
        }

        Span<byte> presented = stackalloc byte[HmacSignatures.Length];
        return signature.StartsWith(Prefix, StringComparison.Ordinal) && HmacSignatures.TryDecodeHex(signature.AsSpan(Prefix.Length), presented)
            && HmacSignatures.AnyKeyMatches(keys, prefix: null, body, presented)
            ? SignatureCheck.Valid
            : SignatureCheck.BadSignature;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, string>> Sign(string secret, ReadOnlySpan<byte> body, DateTimeOffset now, string? eventId = null) =>
        [new(Header, Prefix + Convert.ToHexStringLower(HmacSignatures.Compute(KeyFor(secret)!, prefix: null, body)))];
}
