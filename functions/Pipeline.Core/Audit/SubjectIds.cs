namespace Pipeline.Core.Audit;

/// <summary>
/// The syntax of a subject id on the Subjects API and the audit query: a pseudonym (<c>psn_</c> + 32 hex),
/// or a vendor identifier as a SCIM <c>userName</c> or email is (1-254 characters, no control characters,
/// no surrounding whitespace). Only its pseudonym is ever stored.
/// </summary>
public static class SubjectIds
{
    /// <summary>The longest identifier (a SCIM userName or an email address).</summary>
    public const int MaxLength = 254;

    /// <summary>True when <paramref name="id"/> can name a subject.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength }
        && !char.IsWhiteSpace(id[0]) && !char.IsWhiteSpace(id[^1])
        && !id.Any(char.IsControl);
}
