using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pipeline.Core.Webhooks;

/// <summary>
/// A source address reduced to its network before it is recorded: IPv4 to its /24, IPv6 to its /48.
/// Enough to see where a flood comes from, not enough to single out a host.
/// </summary>
public static class SourceNetworks
{
    /// <summary>The truncated network in CIDR notation, e.g. <c>198.51.100.0/24</c>; <c>unknown</c> without an address.</summary>
    public static string Truncate(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes[0]}.{bytes[1]}.{bytes[2]}.0/24");
        }

        Array.Clear(bytes, 6, bytes.Length - 6);
        return new IPAddress(bytes).ToString() + "/48";
    }
}
