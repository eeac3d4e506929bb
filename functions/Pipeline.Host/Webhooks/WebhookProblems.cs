using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// One RFC 9457 problem per rejection reason, with a stable <c>type</c>. The text is fixed per reason:
/// nothing from the request (secret, signature, payload) is ever echoed.
/// </summary>
internal static class WebhookProblems
{
    public const string TypePrefix = "urn:pipeline:problem:webhook:";

    public static IResult For(IngressRejection rejection)
    {
        var (status, slug, title) = Describe(rejection);
        return Results.Problem(statusCode: status, title: title, type: TypePrefix + slug);
    }

    /// <summary>The broker could not take the event: the vendor should retry after the given delay.</summary>
    public static IResult BrokerUnavailable(HttpResponse response, TimeSpan retryAfter)
    {
        response.Headers.RetryAfter = ((int)retryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "The event could not be accepted now; retry later.",
            type: TypePrefix + "broker-unavailable");
    }

    public static (int Status, string Slug, string Title) Describe(IngressRejection rejection) => rejection switch
    {
        IngressRejection.UnknownVendor => (404, "unknown-vendor", "No such webhook vendor."),
        IngressRejection.TenantNotAllowed => (403, "tenant-not-allowed", "The tenant does not accept webhooks from this vendor."),
        IngressRejection.CompanyMismatch => (403, "company-mismatch", "The Company-Id header does not match the tenant."),
        IngressRejection.MissingHeaders => (400, "missing-headers", "A required signature header is missing."),
        IngressRejection.BadSignature => (401, "bad-signature", "The signature does not verify."),
        IngressRejection.StaleTimestamp => (401, "stale-timestamp", "The signed timestamp is outside the allowed tolerance."),
        IngressRejection.UnsupportedMediaType => (415, "unsupported-media-type", "The body must be application/json."),
        IngressRejection.BodyTooLarge => (413, "body-too-large", "The body is larger than the limit."),
        IngressRejection.MalformedJson => (400, "malformed-json", "The body is not a JSON object."),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection)),
    };
}
