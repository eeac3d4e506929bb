namespace Pipeline.Core.Webhooks;

/// <summary>
/// A tenant as one vendor sees it: the decoded HMAC keys of its configured secrets (several during a
/// rotation) and its scopes. Built once at start; deliberately not a record, so no key is ever printed.
/// </summary>
public sealed class WebhookTenant
{
    internal WebhookTenant(string id, WebhookVendor vendor, IReadOnlyList<byte[]> keys, IReadOnlyCollection<string> scopes)
    {
        Id = id;
        Vendor = vendor;
        Keys = keys;
        Scopes = scopes;
    }

    /// <summary>The tenant id, lowercase.</summary>
    public string Id { get; }

    /// <summary>The vendor this entry is for.</summary>
    public WebhookVendor Vendor { get; }

    /// <summary>HMAC keys; only this tenant's, so another tenant's signature never verifies.</summary>
    internal IReadOnlyList<byte[]> Keys { get; }

    /// <summary>The scopes the tenant holds for this vendor (e.g. <c>scim:write</c>), matched exactly.</summary>
    public IReadOnlyCollection<string> Scopes { get; }

    /// <summary>True when the tenant holds <paramref name="scope"/> for this vendor.</summary>
    public bool HasScope(string scope) => Scopes.Contains(scope, StringComparer.Ordinal);
}
