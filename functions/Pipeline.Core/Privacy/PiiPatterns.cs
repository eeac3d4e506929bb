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
            text = Ipv6Addresses.Redact(text, IpMarker);
        }

        if (text.AsSpan().IndexOfAnyInRange('0', '9') < 0)
        {
            return text;
        }

        text = Replace(text, Iban, IsIban, IbanMarker);
        text = CardNumbers.Redact(text, CardMarker);
        text = Replace(text, Ssn, static _ => true, SsnMarker, static (t, end) => end == t.Length || t[end] != '-');
        text = Replace(text, Ipv4, IsIpv4, IpMarker, static (t, end) => end + 1 >= t.Length || t[end] != '.' || !char.IsAsciiDigit(t[end + 1]));
        text = Replace(text, Phone, IsPhone, PhoneMarker);
        return text;
    }

    internal static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

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
