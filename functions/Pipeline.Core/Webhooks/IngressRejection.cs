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
}
