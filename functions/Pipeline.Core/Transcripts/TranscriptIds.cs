using Pipeline.Core.Privacy;

namespace Pipeline.Core.Transcripts;

/// <summary>
/// The syntax of a transcript id (TwinMind <c>data.transcript_id</c>, the Transcripts API route): 1-128
/// letters, digits, <c>.</c>, <c>_</c>, <c>:</c> and <c>-</c>, starting with a letter or digit, and
/// nothing the pattern net would take for personal data. Ingress and API check the same rule, so a
/// route value that is not an id is refused before it reaches a row key or an audit row.
/// </summary>
public static class TranscriptIds
{
    /// <summary>The longest id.</summary>
    public const int MaxLength = 128;

    /// <summary>True when <paramref name="id"/> is a transcript id.</summary>
    public static bool IsValid(string? id) =>
        id is { Length: > 0 and <= MaxLength }
        && char.IsAsciiLetterOrDigit(id[0])
        && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-')
        && !PiiPatterns.Contains(id);
}
