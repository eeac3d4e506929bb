namespace Pipeline.Core.Webhooks;

/// <summary>The outcome of checking a webhook signature: expected failures are values (STYLE 7).</summary>
public enum SignatureCheck
{
    /// <summary>One configured secret produced one of the presented signatures.</summary>
    Valid,

    /// <summary>A header the scheme needs is absent or empty (400).</summary>
    MissingHeaders,

    /// <summary>The signature is malformed or matches no secret (401).</summary>
    BadSignature,

    /// <summary>The signed timestamp is unparseable or outside the tolerance, past or future (401).</summary>
    StaleTimestamp,
}
