using System.Net;
using Pipeline.Core.Webhooks;

namespace Pipeline.Host.Webhooks;

/// <summary>
/// <c>Pipeline:Webhooks:TrustedProxies</c>, parsed once (validated at start). With none configured,
/// the default, <c>X-Forwarded-For</c> is never read: a caller on loopback cannot claim another network.
/// </summary>
internal sealed class TrustedProxies(WebhookOptions options)
{
    private readonly IPNetwork[] _networks = [.. options.TrustedProxies
        .Select(text => ForwardedFor.TryParseNetwork(text, out var network) ? network : (IPNetwork?)null)
        .OfType<IPNetwork>()];

    /// <summary>The address to record and rate-limit for this request (see <see cref="ForwardedFor"/>).</summary>
    public IPAddress? ClientAddress(HttpContext context) =>
        ForwardedFor.ClientAddress(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"].ToString(), _networks);
}
