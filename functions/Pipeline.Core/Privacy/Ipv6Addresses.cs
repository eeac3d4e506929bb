using System.Net;
using System.Net.Sockets;

namespace Pipeline.Core.Privacy;

/// <summary>IPv6 addresses for <see cref="PiiPatterns"/>: one scan over runs of address characters, each confirmed by the parser.</summary>
internal static class Ipv6Addresses
{
    private static readonly System.Buffers.SearchValues<char> Ipv6Characters = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <summary>
    /// IPv6 addresses by one scan (a regex with a lookahead over the candidate was quadratic on a long
    /// colon run): each maximal run of hex digits, colons and dots (with an optional <c>%zone</c>) is
    /// one candidate; a run longer than any address is none. A single colon at either end is the
    /// surrounding text's (<c>ip:fe80::1</c>), not the address's.
    /// </summary>
    // Optimised from the first call: the scanners are the hot loop of every audit row and log line.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static string Redact(string text, string marker)
    {
        System.Text.StringBuilder? result = null;
        var copied = 0;
        var i = 0;
        while (i < text.Length)
        {
            var offset = text.AsSpan(i).IndexOfAny(Ipv6Characters);
            if (offset < 0)
            {
                break;
            }

            var start = i + offset;
            var runLength = text.AsSpan(start).IndexOfAnyExcept(Ipv6Characters);
            var end = runLength < 0 ? text.Length : start + runLength;
            if (end < text.Length && text[end] == '%')
            {
                var zone = end + 1;
                while (zone < text.Length && char.IsAsciiLetterOrDigit(text[zone]))
                {
                    zone++;
                }

                end = zone > end + 1 ? zone : end;
            }

            i = end;
            if (end - start is < 2 or > 64)
            {
                continue;
            }

            var coreStart = text[start] == ':' && text[start + 1] != ':' ? start + 1 : start;
            var coreEnd = end;
            while (coreEnd > coreStart && text[coreEnd - 1] == '.')
            {
                coreEnd--; // the full stop of a sentence
            }

            coreEnd = coreEnd - coreStart >= 2 && text[coreEnd - 1] == ':' && text[coreEnd - 2] != ':' ? coreEnd - 1 : coreEnd;
            if (coreEnd - coreStart < 2
                || (coreStart > 0 && PiiPatterns.IsWordChar(text[coreStart - 1])) || (coreEnd < text.Length && PiiPatterns.IsWordChar(text[coreEnd]))
                || !IsIpv6(text[coreStart..coreEnd]))
            {
                continue;
            }

            result ??= new System.Text.StringBuilder(text.Length);
            result.Append(text, copied, coreStart - copied).Append(marker);
            copied = coreEnd;
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool IsIpv6(string candidate) =>
        candidate.Count(c => c == ':') >= 2
        && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;
}
