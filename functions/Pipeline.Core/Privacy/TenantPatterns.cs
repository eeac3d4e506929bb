using System.Text.RegularExpressions;

namespace Pipeline.Core.Privacy;

/// <summary>
/// A tenant's extra redaction patterns (<c>Privacy:PiiPatterns</c>): compiled with
/// <see cref="RegexOptions.NonBacktracking"/>, so matching is linear in the text whatever the pattern
/// (no catastrophic backtracking from configuration), and bounded in length and number.
/// </summary>
public static class TenantPatterns
{
    /// <summary>Longest pattern accepted.</summary>
    public const int MaxLength = 256;

    /// <summary>Most patterns per tenant.</summary>
    public const int MaxCount = 32;

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    /// <summary>Why <paramref name="pattern"/> cannot be used, or null when it can. Never echoes the pattern.</summary>
    public static string? Problem(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
        {
            return "is empty";
        }

        if (pattern.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        try
        {
            var regex = new Regex(pattern, Options);
            // A pattern that matches the empty string would mark every position of every text.
            return regex.IsMatch("") ? "matches the empty string" : null;
        }
        catch (NotSupportedException)
        {
            return "uses a construct linear-time matching does not support (backreferences, lookarounds, atomic groups)";
        }
        catch (ArgumentException)
        {
            return "is not a valid regular expression";
        }
    }

    /// <summary>The compiled patterns; the configuration was validated at start (<see cref="Problem"/>).</summary>
    public static IReadOnlyList<Regex> Compile(IEnumerable<string> patterns) =>
        [.. patterns.Where(p => Problem(p) is null).Take(MaxCount).Select(p => new Regex(p, Options))];
}
