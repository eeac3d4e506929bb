namespace Pipeline.Core.Webhooks.Vendors.MindTickle;

/// <summary>
/// <c>x-mindtickle-signature</c>: lowercase hex HMAC-SHA256 of <c>{timestamp}.{body}</c>, keyed with the
/// UTF-8 secret; <c>x-mindtickle-timestamp</c>: unix seconds, within the tolerance both ways.
/// </summary>
public sealed class MindTickleSignature : SignatureScheme
{
    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "x-mindtickle-signature";

    /// <summary>The timestamp header.</summary>
    public const string TimestampHeader = "x-mindtickle-timestamp";

    /// <inheritdoc/>
    public override IReadOnlyList<string> Headers { get; } = [SignatureHeader, TimestampHeader];

    /// <inheritdoc/>
    public override SignatureCheck Verify(
        IReadOnlyList<byte[]> keys, HeaderLookup headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var signature = headers(SignatureHeader);
        var timestamp = headers(TimestampHeader);
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp))
        {
            return SignatureCheck.MissingHeaders;
        }

        if (!HmacSignatures.IsFresh(timestamp, now, tolerance))
        {
            return SignatureCheck.StaleTimestamp;
        }

        Span<byte> presented = stackalloc byte[HmacSignatures.Length];
        return HmacSignatures.TryDecodeHex(signature, presented) && HmacSignatures.AnyKeyMatches(keys, timestamp, body, presented)
            ? SignatureCheck.Valid
            : SignatureCheck.BadSignature;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<KeyValuePair<string, string>> Sign(string secret, ReadOnlySpan<byte> body, DateTimeOffset now, string? eventId = null)
    {
        var timestamp = HmacSignatures.UnixSeconds(now);
        return
        [
            new(SignatureHeader, Convert.ToHexStringLower(HmacSignatures.Compute(KeyFor(secret)!, timestamp, body))),
            new(TimestampHeader, timestamp),
        ];
    }
}
