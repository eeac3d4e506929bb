using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Pipeline.Core.Privacy;

/// <summary>
/// Finds personal data by its shape in any text: email addresses, phone numbers, US SSNs, payment
/// card numbers (Luhn-checked), IBANs (mod-97-checked) and IPv4/IPv6 addresses. Emails, being
/// subject identifiers, become their keyed pseudonym; the rest become a fixed marker. No marker
/// holds a digit run, an <c>@</c> or a colon run, so redacting twice changes nothing more.
/// </summary>
public static class PiiPatterns
{
    /// <summary>Replaces an email address.</summary>
    public const string EmailMarker = "[email]";

    /// <summary>Replaces a phone number.</summary>
    public const string PhoneMarker = "[phone]";

    /// <summary>Replaces a US social security number.</summary>
    public const string SsnMarker = "[ssn]";

    /// <summary>Replaces a payment card number.</summary>
    public const string CardMarker = "[card]";

    /// <summary>Replaces an IBAN.</summary>
    public const string IbanMarker = "[iban]";

    /// <summary>Replaces an IP address.</summary>
    public const string IpMarker = "[ip]";

    /// <summary>
    /// Redacts every pattern in <paramref name="text"/>. <paramref name="pseudonymOf"/> maps an email
    /// address to its pseudonym; without it emails become <see cref="EmailMarker"/>. Linear in the
    /// length of the text: every pattern runs on the <see cref="RegexOptions.NonBacktracking"/> engine
    /// (which has no lookarounds, so their boundary checks are done on the match) and IPv6 addresses
    /// are found by a single scan.
    /// </summary>
    public static string Redact(string text, Func<string, string>? pseudonymOf = null)
    {
        if (!MayHoldPii(text))
        {
            return text;
        }

        // Emails first: their local parts may hold digits the later patterns would otherwise split.
        // Each pass runs only when its pattern's one necessary character is there.
        if (text.Contains('@'))
        {
            text = Email.Replace(text, m => pseudonymOf is null ? EmailMarker : pseudonymOf(m.Value));
        }

        if (text.Contains(':'))
        {
            text = RedactIpv6(text);
        }

        if (text.AsSpan().IndexOfAnyInRange('0', '9') < 0)
        {
            return text;
        }

        text = Replace(text, Iban, IsIban, IbanMarker);
        text = RedactCards(text);
        text = Replace(text, Ssn, static _ => true, SsnMarker, static (t, end) => end == t.Length || t[end] != '-');
        text = Replace(text, Ipv4, IsIpv4, IpMarker, static (t, end) => end + 1 >= t.Length || t[end] != '.' || !char.IsAsciiDigit(t[end + 1]));
        text = Replace(text, Phone, IsPhone, PhoneMarker);
        return text;
    }

    private static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>
    /// Replaces the value (group <c>v</c>) of each match <paramref name="isValue"/> confirms with
    /// <paramref name="marker"/>. The linear engine has no lookbehind, so a pattern consumes the one
    /// character before its value instead (<c>(?:^|[^…])</c>); that character is kept. Every match
    /// ends in a character no pattern accepts before its value, so consuming it never hides a next one.
    /// The end is a <c>\b</c>; <paramref name="endsWell"/> checks what a lookahead held beyond it.
    /// </summary>
    // Optimised from the first call: the scanners are the hot loop of every audit row and log line.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static string Replace(string text, Regex pattern, Func<string, bool> isValue, string marker, Func<string, int, bool>? endsWell = null)
    {
        System.Text.StringBuilder? result = null;
        var copied = 0;
        for (var match = pattern.Match(text); match.Success; match = match.NextMatch())
        {
            var value = match.Groups["v"];
            if (!isValue(value.Value) || (endsWell is not null && !endsWell(text, value.Index + value.Length)))
            {
                continue;
            }

            result ??= new System.Text.StringBuilder(text.Length);
            result.Append(text, copied, value.Index - copied).Append(marker);
            copied = value.Index + value.Length;
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>True when <paramref name="text"/> holds something <see cref="Redact"/> would replace.</summary>
    public static bool Contains(string text) => !string.Equals(Redact(text), text, StringComparison.Ordinal);

    // Every pattern needs a digit, an '@' or a ':'; most strings (names of types, states) hold none.
    private static bool MayHoldPii(string text) => text.AsSpan().IndexOfAny(Triggers) >= 0;

    private static readonly System.Buffers.SearchValues<char> Triggers = System.Buffers.SearchValues.Create("0123456789@:");

    internal static bool IsLuhnCard(ReadOnlySpan<char> candidate)
    {
        var (sum, count) = (0, 0);
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(candidate[i]))
            {
                continue;
            }

            var d = candidate[i] - '0';
            if (count++ % 2 == 1)
            {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }

            sum += d;
        }

        return count is >= 13 and <= 19 && sum % 10 == 0;
    }

    internal static bool IsIban(string candidate)
    {
        var compact = candidate.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        if (compact.Length is < 15 or > 34)
        {
            return false;
        }

        // ISO 13616: move the first four characters to the end, letters to 10..35, the number mod 97 is 1.
        var remainder = 0;
        foreach (var c in compact[4..] + compact[..4])
        {
            if (char.IsAsciiDigit(c))
            {
                remainder = (remainder * 10 + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }

    private static bool IsIpv4(string candidate) =>
        candidate.Split('.') is { Length: 4 } parts && parts.All(p => p.Length is >= 1 and <= 3 && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255);

    /// <summary>
    /// Payment cards by one scan (a bounded regex over a long digit run matched, and was refused by
    /// Luhn, once per 19 digits, at a high cost per match): a run is digits with single spaces or
    /// dashes between them, not touching a letter, digit or <c>_</c>. From each group start the longest
    /// 13-19 digits ending at a group end are a candidate, as for the backtracking pattern; the window
    /// moves with two pointers and Luhn is read off prefix sums, so each digit costs O(1).
    /// </summary>
    // Optimised from the first call: the scanners are the hot loop of every audit row and log line.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static string RedactCards(string text)
    {
        System.Text.StringBuilder? result = null;
        var copied = 0;
        var run = new CardRun();
        var i = 0;
        while (i < text.Length)
        {
            var offset = text.AsSpan(i).IndexOfAnyInRange('0', '9');
            if (offset < 0)
            {
                break;
            }

            var start = i + offset;
            var end = run.Read(text, start);
            i = end;
            if ((start > 0 && IsWordChar(text[start - 1])) || (end < text.Length && IsWordChar(text[end])))
            {
                continue;
            }

            var last = -1;
            for (var first = 0; first < run.Groups; first++)
            {
                last = Math.Max(last, first - 1);
                while (last + 1 < run.Groups && run.DigitEnd[last + 1] - run.DigitStart[first] <= 19)
                {
                    last++;
                }

                if (last < first || run.DigitEnd[last] - run.DigitStart[first] < 13 || run.TextStart[first] < copied
                    || !run.IsLuhn(run.DigitStart[first], run.DigitEnd[last]))
                {
                    continue; // unlike the old pattern, a card right after a refused candidate is still found
                }

                result ??= new System.Text.StringBuilder(text.Length);
                result.Append(text, copied, run.TextStart[first] - copied).Append(CardMarker);
                copied = run.TextEnd[last];
            }
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>One run of digit groups and the prefix sums that give any window's Luhn sum in O(1).</summary>
    private sealed class CardRun
    {
        public List<int> TextStart { get; } = [];

        public List<int> TextEnd { get; } = [];

        public List<int> DigitStart { get; } = [];

        public List<int> DigitEnd { get; } = [];

        // Sums[p][k]: digits 0..k-1, those whose index has parity p doubled (Luhn's doubling).
        private readonly List<int>[] _sums = [[0], [0]];

        public int Groups => TextStart.Count;

        /// <summary>Reads the run starting at <paramref name="start"/>; returns its end.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public int Read(string text, int start)
        {
            TextStart.Clear();
            TextEnd.Clear();
            DigitStart.Clear();
            DigitEnd.Clear();
            _sums[0].RemoveRange(1, _sums[0].Count - 1);
            _sums[1].RemoveRange(1, _sums[1].Count - 1);
            var end = start;
            var digits = 0;
            while (true)
            {
                TextStart.Add(end);
                DigitStart.Add(digits);
                for (; end < text.Length && char.IsAsciiDigit(text[end]); end++, digits++)
                {
                    var d = text[end] - '0';
                    var doubled = d * 2 > 9 ? d * 2 - 9 : d * 2;
                    _sums[0].Add(_sums[0][^1] + (digits % 2 == 0 ? doubled : d));
                    _sums[1].Add(_sums[1][^1] + (digits % 2 == 1 ? doubled : d));
                }

                TextEnd.Add(end);
                DigitEnd.Add(digits);
                if (end + 1 < text.Length && text[end] is ' ' or '-' && char.IsAsciiDigit(text[end + 1]))
                {
                    end++;
                    continue;
                }

                return end;
            }
        }

        /// <summary>Luhn over digits <paramref name="from"/> to <paramref name="to"/> (exclusive): the rightmost is not doubled.</summary>
        public bool IsLuhn(int from, int to)
        {
            var sums = _sums[to % 2];
            return (sums[to] - sums[from]) % 10 == 0;
        }
    }

    private static readonly System.Buffers.SearchValues<char> Ipv6Characters = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF:.");

    /// <summary>
    /// IPv6 addresses by one scan (a regex with a lookahead over the candidate was quadratic on a long
    /// colon run): each maximal run of hex digits, colons and dots (with an optional <c>%zone</c>) is
    /// one candidate; a run longer than any address is none. A single colon at either end is the
    /// surrounding text's (<c>ip:fe80::1</c>), not the address's.
    /// </summary>
    // Optimised from the first call: the scanners are the hot loop of every audit row and log line.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static string RedactIpv6(string text)
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
                || (coreStart > 0 && IsWordChar(text[coreStart - 1])) || (coreEnd < text.Length && IsWordChar(text[coreEnd]))
                || !IsIpv6(text[coreStart..coreEnd]))
            {
                continue;
            }

            result ??= new System.Text.StringBuilder(text.Length);
            result.Append(text, copied, coreStart - copied).Append(IpMarker);
            copied = coreEnd;
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    private static bool IsIpv6(string candidate) =>
        candidate.Count(c => c == ':') >= 2
        && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    private static bool IsPhone(string candidate)
    {
        var digits = candidate.Count(char.IsAsciiDigit);
        return candidate.StartsWith('+') ? digits is >= 7 and <= 15 : digits is >= 10 and <= 15;
    }

    private const RegexOptions Linear = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    // Unicode-aware: internationalised addresses (jürgen@bücher.example) are emails too.
    private static readonly Regex Email = new(@"[\p{L}\p{M}\p{N}._%+\-']+@[\p{L}\p{M}\p{N}\-]+(?:\.[\p{L}\p{M}\p{N}\-]+)*\.[\p{L}\p{M}]{2,}", Linear);

    private static readonly Regex Iban = new(@"(?:^|[^A-Za-z0-9_])(?<v>[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?)\b", Linear);

    private static readonly Regex Ssn = new(@"(?:^|[^A-Za-z0-9_\-])(?<v>[0-9]{3}-[0-9]{2}-[0-9]{4})\b", Linear);

    private static readonly Regex Ipv4 = new(@"(?:^|[^A-Za-z0-9_.])(?<v>(?:[0-9]{1,3}\.){3}[0-9]{1,3})\b", Linear);

    private static readonly Regex Phone = new(@"(?:^|[^A-Za-z0-9_+])(?<v>\+[0-9][0-9 ().\-]{5,20}[0-9]|\(?[0-9]{3}\)?[ .\-]?[0-9]{3}[ .\-][0-9]{4})\b", Linear);
}
