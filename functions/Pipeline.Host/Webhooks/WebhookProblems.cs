using System.Globalization;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// One RFC 9457 problem per rejection reason, with a stable <c>type</c>. The text is fixed per reason:
/// nothing from the request (secret, signature, payload) is ever echoed. A schema problem names the
/// failing field by its schema path only.
/// </summary>
internal static class WebhookProblems
{
    public const string TypePrefix = "urn:pipeline:problem:webhook:";

    public static IResult For(IngressRejection rejection, string? field = null, string? limit = null)
    {
        var (status, title) = Describe(rejection);
        var extensions = field is null ? null : new Dictionary<string, object?>(StringComparer.Ordinal) { ["field"] = field };
        if (limit is not null)
        {
            extensions?["limit"] = limit;
        }

        return Results.Problem(
            statusCode: status,
            title: title,
            detail: field is null ? null : limit is null ? $"The field '{field}' is missing or invalid." : $"The field '{field}' exceeds a storage limit: {limit}.",
            type: TypePrefix + rejection.Slug(),
            extensions: extensions);
    }

    /// <summary>A 429 or 503 that tells the vendor when to retry.</summary>
    public static IResult RetryLater(HttpResponse response, IngressRejection rejection, TimeSpan retryAfter)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return For(rejection);
    }

    public static (int Status, string Title) Describe(IngressRejection rejection) => rejection switch
    {
        IngressRejection.UnknownVendor => (404, "No such webhook vendor."),
        IngressRejection.TenantNotAllowed => (403, "The tenant does not accept webhooks from this vendor."),
        IngressRejection.CompanyMismatch => (403, "The Company-Id header does not match the tenant."),
        IngressRejection.MissingHeaders => (400, "A required signature header is missing."),
        IngressRejection.BadSignature => (401, "The signature does not verify."),
        IngressRejection.StaleTimestamp => (401, "The signed timestamp is outside the allowed tolerance."),
        IngressRejection.UnsupportedMediaType => (415, "The body must be application/json."),
        IngressRejection.BodyTooLarge => (413, "The body is larger than the limit."),
        IngressRejection.MalformedJson => (400, "The body is not a JSON object."),
        IngressRejection.MissingScope => (403, "The tenant lacks the scope this event needs."),
        IngressRejection.SchemaInvalid => (422, "The event does not match its schema."),
        IngressRejection.RateLimited => (429, "Too many webhooks; retry later."),
        IngressRejection.BrokerUnavailable or IngressRejection.StorageUnavailable => (503, "The event could not be accepted now; retry later."),
        IngressRejection.EventTooLarge => (413, "The event is too large for the broker."),
        IngressRejection.OverConsumerLimit => (422, "The event exceeds what the pipeline can store."),
        IngressRejection.IncompleteBody => (400, "The body ended before its declared length."),
        IngressRejection.BodyTimeout => (408, "The body arrived too slowly."),
        _ => throw new ArgumentOutOfRangeException(nameof(rejection)),
    };
}
