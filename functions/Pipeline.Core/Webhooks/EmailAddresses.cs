namespace Pipeline.Core.Webhooks;

/// <summary>
/// The address check of SCIM <c>emails[].value</c> and transcript participants: a plain
/// <c>local@domain</c> addr-spec (RFC 5321 lengths, dot-atom local part, a dotted host name).
/// Quoted local parts, comments and IP-literal domains are refused: no identity provider sends them.
/// </summary>
public static class EmailAddresses
{
    private const string AtomSpecials = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>True for a well-formed address of at most 254 characters.</summary>
    public static bool IsValid(string? address) => address is not null && IsValid(address.AsSpan());

    /// <summary>As <see cref="IsValid(string?)"/>, on characters decoded without a string.</summary>
    public static bool IsValid(ReadOnlySpan<char> address)
    {
        if (address.Length is <= 2 or > 254)
        {
            return false;
        }

        var at = address.IndexOf('@');
        if (at is <= 0 or > 64 || at != address.LastIndexOf('@'))
        {
            return false;
        }

        return IsDotAtom(address[..at]) && IsHostName(address[(at + 1)..]);
    }

    private static bool IsDotAtom(ReadOnlySpan<char> local)
    {
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsLetterOrDigit(c) || c == '.' || AtomSpecials.Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsHostName(ReadOnlySpan<char> domain)
    {
        if (domain.Length is 0 or > 253)
        {
            return false;
        }

        var labels = 0;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }

            labels++;
        }

        return labels >= 2;
    }
}
