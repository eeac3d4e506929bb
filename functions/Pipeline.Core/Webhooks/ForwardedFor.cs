using System.Net;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// The caller's address behind reverse proxies. <c>X-Forwarded-For</c> is believed only when the
/// connection comes from a configured proxy, and then read from the right: each trusted proxy
/// appends the address it saw, so the rightmost entry that is not itself a trusted proxy is the first
/// address no one on the path could forge. Entries to its left are the client's own claims.
/// </summary>
public static class ForwardedFor
{
    /// <summary>More entries than this and the header is not believed at all (a chain of proxies is short).</summary>
    private const int MaxEntries = 16;

    /// <summary>An address (as a /32 or /128) or a CIDR network.</summary>
    public static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            network = new IPNetwork(Normalize(address), address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6 ? 32 : 128);
            return true;
        }

        return IPNetwork.TryParse(text, out network);
    }

    /// <summary>The source address to record and rate-limit: the connection's, unless it is a trusted proxy.</summary>
    public static IPAddress? ClientAddress(IPAddress? remote, string? forwardedFor, IReadOnlyList<IPNetwork> trustedProxies)
    {
        if (remote is null || trustedProxies.Count == 0 || !IsTrusted(remote, trustedProxies) || string.IsNullOrEmpty(forwardedFor))
        {
            return remote;
        }

        var entries = forwardedFor.Split(',', MaxEntries + 1, StringSplitOptions.TrimEntries);
        if (entries.Length > MaxEntries)
        {
            return remote;
        }

        for (var i = entries.Length - 1; i >= 0; i--)
        {
            if (ParseEntry(entries[i]) is not { } address)
            {
                // Garbage where a proxy should have written an address: trust nothing further left.
                return remote;
            }

            if (!IsTrusted(address, trustedProxies))
            {
                return address;
            }

            remote = address;
        }

        return remote;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trustedProxies)
    {
        address = Normalize(address);
        foreach (var network in trustedProxies)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary><c>203.0.113.7</c>, <c>203.0.113.7:5123</c>, <c>2001:db8::1</c> or <c>[2001:db8::1]:5123</c> (App Service appends the port).</summary>
    private static IPAddress? ParseEntry(string entry)
    {
        if (IPAddress.TryParse(entry, out var address))
        {
            return Normalize(address);
        }

        return IPEndPoint.TryParse(entry, out var endPoint) ? Normalize(endPoint.Address) : null;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
