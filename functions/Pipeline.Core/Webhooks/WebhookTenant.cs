namespace Pipeline.Core.Webhooks;

/// <summary>
/// A tenant as one vendor sees it: the decoded HMAC keys of its configured secrets (several during a
/// rotation) and its scopes. Built once at start; deliberately not a record, so no key is ever printed.
/// </summary>
public sealed class WebhookTenant
{
    internal WebhookTenant(string id, WebhookVendor vendor, IReadOnlyList<byte[]> keys, bool canWriteScim)
    {
        Id = id;
        Vendor = vendor;
        Keys = keys;
        CanWriteScim = canWriteScim;
    }

    /// <summary>The tenant id, lowercase.</summary>
    public string Id { get; }

    /// <summary>The vendor this entry is for.</summary>
    public WebhookVendor Vendor { get; }

    /// <summary>HMAC keys; only this tenant's, so another tenant's signature never verifies.</summary>
    internal IReadOnlyList<byte[]> Keys { get; }

    /// <summary>True when the tenant holds the <c>scim:write</c> scope for this vendor.</summary>
    public bool CanWriteScim { get; }
}
