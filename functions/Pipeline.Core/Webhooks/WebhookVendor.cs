namespace Pipeline.Core.Webhooks;

/// <summary>The signature schemes the ingress understands (SPEC §3.1).</summary>
public enum WebhookVendor
{
    /// <summary>MindTickle: hex HMAC over <c>{timestamp}.{body}</c>.</summary>
    MindTickle,

    /// <summary>TwinMind: <c>sha256=</c> hex HMAC over the body.</summary>
    TwinMind,

    /// <summary>Standard Webhooks: <c>v1,</c> base64 HMAC over <c>{id}.{timestamp}.{body}</c>.</summary>
    Standard,
}

/// <summary>Route names of the vendors.</summary>
public static class WebhookVendors
{
    /// <summary>Maps a route segment to a vendor; false for anything else.</summary>
    public static bool TryParse(string? routeName, out WebhookVendor vendor)
    {
        switch (routeName?.ToLowerInvariant())
        {
            case "mindtickle": vendor = WebhookVendor.MindTickle; return true;
            case "twinmind": vendor = WebhookVendor.TwinMind; return true;
            case "standard": vendor = WebhookVendor.Standard; return true;
            default: vendor = default; return false;
        }
    }

    /// <summary>The route and configuration name of a vendor.</summary>
    public static string RouteName(this WebhookVendor vendor) => vendor switch
    {
        WebhookVendor.MindTickle => "mindtickle",
        WebhookVendor.TwinMind => "twinmind",
        WebhookVendor.Standard => "standard",
        _ => throw new ArgumentOutOfRangeException(nameof(vendor)),
    };
}
