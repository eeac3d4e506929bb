using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Pipeline.Core.Webhooks.Vendors.GitHub;
using Pipeline.Core.Webhooks.Vendors.MindTickle;
using Pipeline.Core.Webhooks.Vendors.StandardWebhooks;
using Pipeline.Core.Webhooks.Vendors.Stripe;
using Pipeline.Core.Webhooks.Vendors.TwinMind;

namespace Pipeline.Core.Webhooks.Vendors;

/// <summary>
/// The vendors the ingress knows, one line each (SPEC §3.1); looked up by route name. It lives with the
/// vendors, not in <c>Webhooks/</c>: the generic ingress is handed the vendors (<see cref="WebhookIngestor"/>)
/// and never names one, so no folder cycle runs between it and the vendor folders.
/// </summary>
public static class WebhookVendors
{
    /// <summary>Every vendor, in the order documentation lists them.</summary>
    public static IReadOnlyList<WebhookVendor> All { get; } =
    [
        new MindTickleVendor(),
        new TwinMindVendor(),
        new StandardWebhooksVendor(),
        new GitHubVendor(),
        new StripeVendor(),
    ];

    private static readonly FrozenDictionary<string, WebhookVendor> ByRouteName =
        All.ToFrozenDictionary(vendor => vendor.RouteName, StringComparer.OrdinalIgnoreCase);

    /// <summary>The route names, for messages: <c>mindtickle, twinmind, …</c>.</summary>
    public static string RouteNames { get; } = string.Join(", ", All.Select(vendor => vendor.RouteName));

    /// <summary>Maps a route segment (any case) to a vendor; false for anything else.</summary>
    public static bool TryParse(string? routeName, [NotNullWhen(true)] out WebhookVendor? vendor)
    {
        vendor = null;
        return routeName is not null && ByRouteName.TryGetValue(routeName, out vendor);
    }

    /// <summary>The vendor with this route name; throws for an unknown one (a bug, not input).</summary>
    public static WebhookVendor Get(string routeName) =>
        TryParse(routeName, out var vendor) ? vendor : throw new ArgumentOutOfRangeException(nameof(routeName), routeName, "Unknown vendor.");
}
