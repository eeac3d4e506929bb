namespace Pipeline.Core.Webhooks;

/// <summary>Why the ingress refused a webhook. Each reason has one status and one problem type.</summary>
public enum IngressRejection
{
    /// <summary>The route names no known vendor (404).</summary>
    UnknownVendor,

    /// <summary>The tenant is not configured, or does not allow this vendor (403).</summary>
    TenantNotAllowed,

    /// <summary>The MindTickle <c>Company-Id</c> header names another tenant (403).</summary>
    CompanyMismatch,

    /// <summary>A signature header is absent (400).</summary>
    MissingHeaders,

    /// <summary>The signature is malformed or matches no secret (401).</summary>
    BadSignature,

    /// <summary>The signed timestamp is outside the tolerance (401).</summary>
    StaleTimestamp,

    /// <summary>The request is not JSON (415).</summary>
    UnsupportedMediaType,

    /// <summary>The body is larger than <c>Pipeline:Webhooks:MaxBodyBytes</c> (413).</summary>
    BodyTooLarge,

    /// <summary>The body is not a JSON object (400).</summary>
    MalformedJson,

    /// <summary>The event needs a scope the tenant lacks, e.g. <c>scim:write</c> for SCIM user events (403).</summary>
    MissingScope,

    /// <summary>A field of a known event type is missing or invalid (422).</summary>
    SchemaInvalid,

    /// <summary>The tenant sent more than its rate limit allows (429).</summary>
    RateLimited,

    /// <summary>The broker did not take the event; the vendor should retry (503).</summary>
    BrokerUnavailable,

    /// <summary>The deduplication claim could not be written, so the event is not accepted; the vendor should retry (503).</summary>
    StorageUnavailable,

    /// <summary>The broker refused the event as too large, even after the publisher's compression (413).</summary>
    EventTooLarge,

    /// <summary>The event exceeds what a consumer can store (<see cref="ConsumerLimits"/>), so it is not accepted (422).</summary>
    OverConsumerLimit,

    /// <summary>The body ended before its declared length: the client aborted or the connection broke (400).</summary>
    IncompleteBody,

    /// <summary>The body arrived too slowly (408).</summary>
    BodyTimeout,
}

/// <summary>The stable names of the rejection reasons.</summary>
public static class IngressRejections
{
    /// <summary>
    /// The reason's stable slug: the last segment of its problem <c>type</c> and its name in audit rows.
    /// </summary>
    public static string Slug(this IngressRejection rejection) => rejection switch
    {
        IngressRejection.UnknownVendor => "unknown-vendor",
        IngressRejection.TenantNotAllowed => "tenant-not-allowed",
        IngressRejection.CompanyMismatch => "company-mismatch",
        IngressRejection.MissingHeaders => "missing-headers",
        IngressRejection.BadSignature => "bad-signature",
        IngressRejection.StaleTimestamp => "stale-timestamp",
        IngressRejection.UnsupportedMediaType => "unsupported-media-type",
        IngressRejection.BodyTooLarge => "body-too-large",
        IngressRejection.MalformedJson => "malformed-json",
        IngressRejection.MissingScope => "missing-scope",
        IngressRejection.SchemaInvalid => "schema-invalid",
        IngressRejection.RateLimited => "rate-limited",
        IngressRejection.BrokerUnavailable => "broker-unavailable",
        IngressRejection.StorageUnavailable => "storage-unavailable",
        IngressRejection.EventTooLarge => "event-too-large",
        IngressRejection.OverConsumerLimit => "over-consumer-limit",
        IngressRejection.IncompleteBody => "incomplete-body",
        IngressRejection.BodyTimeout => "body-timeout",
        _ => throw new ArgumentOutOfRangeException(nameof(rejection)),
    };

    /// <summary>
    /// True for a refusal given before the signature verified (or because it did not): such a request
    /// proves nothing about who sent it, so it is charged to its source network's bucket, never the tenant's.
    /// </summary>
    public static bool IsUnverified(this IngressRejection rejection) => rejection is not
        (IngressRejection.MalformedJson or IngressRejection.MissingScope or IngressRejection.SchemaInvalid
        or IngressRejection.OverConsumerLimit or IngressRejection.BrokerUnavailable or IngressRejection.StorageUnavailable
        or IngressRejection.EventTooLarge);
}
