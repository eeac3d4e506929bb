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
public static partial class PiiPatterns
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
    /// address to its pseudonym; without it emails become <see cref="EmailMarker"/>.
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
            text = Email().Replace(text, m => pseudonymOf is null ? EmailMarker : pseudonymOf(m.Value));
        }

        if (text.Contains(':'))
        {
            text = Ipv6().Replace(text, m => RedactIpv6(m.Value));
        }

        if (text.AsSpan().IndexOfAnyInRange('0', '9') < 0)
        {
            return text;
        }

        text = Iban().Replace(text, m => IsIban(m.Value) ? IbanMarker : m.Value);
        text = Card().Replace(text, m => IsLuhnCard(m.Value) ? CardMarker : m.Value);
        text = Ssn().Replace(text, SsnMarker);
        text = Ipv4().Replace(text, m => IsIpv4(m.Value) ? IpMarker : m.Value);
        text = Phone().Replace(text, m => IsPhone(m.Value) ? PhoneMarker : m.Value);
        return text;
    }

    /// <summary>True when <paramref name="text"/> holds something <see cref="Redact"/> would replace.</summary>
    public static bool Contains(string text) => !string.Equals(Redact(text), text, StringComparison.Ordinal);

    // Every pattern needs a digit, an '@' or a ':'; most strings (names of types, states) hold none.
    private static bool MayHoldPii(string text) => text.AsSpan().IndexOfAny(Triggers) >= 0;

    private static readonly System.Buffers.SearchValues<char> Triggers = System.Buffers.SearchValues.Create("0123456789@:");

    internal static bool IsLuhnCard(string candidate)
    {
        var digits = candidate.Where(char.IsAsciiDigit).Select(c => c - '0').ToArray();
        if (digits.Length is < 13 or > 19)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i];
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
        }

        return sum % 10 == 0;
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

    // The candidate may have taken in a colon of the surrounding text ("ip:fe80::1", "…:e162: notes").
    private static string RedactIpv6(string candidate)
    {
        var lead = candidate.StartsWith(':') && !candidate.StartsWith("::", StringComparison.Ordinal) ? ":" : "";
        var trail = candidate.EndsWith(':') && !candidate.EndsWith("::", StringComparison.Ordinal) ? ":" : "";
        var core = candidate[lead.Length..^trail.Length];
        return IsIpv6(core) ? lead + IpMarker + trail : candidate;
    }

    private static bool IsIpv6(string candidate) =>
        candidate.Count(c => c == ':') >= 2
        && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    private static bool IsPhone(string candidate)
    {
        var digits = candidate.Count(char.IsAsciiDigit);
        return candidate.StartsWith('+') ? digits is >= 7 and <= 15 : digits is >= 10 and <= 15;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex Iban();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?:[0-9][ \-]?){12,18}[0-9](?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex Card();

    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])[0-9]{3}-[0-9]{2}-[0-9]{4}(?![A-Za-z0-9_\-])", RegexOptions.CultureInvariant)]
    private static partial Regex Ssn();

    [GeneratedRegex(@"(?<![A-Za-z0-9_.])(?=[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:)[0-9A-Fa-f:.]{2,47}(?:%[A-Za-z0-9]+)?(?![A-Za-z0-9_:])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv6();

    [GeneratedRegex(@"(?<![A-Za-z0-9_.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![A-Za-z0-9_]|\.[0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Ipv4();

    [GeneratedRegex(@"(?<![A-Za-z0-9_+])(?:\+[0-9][0-9 ().\-]{5,20}[0-9]|\(?[0-9]{3}\)?[ .\-]?[0-9]{3}[ .\-][0-9]{4})(?![A-Za-z0-9_])", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
