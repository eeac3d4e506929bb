using Microsoft.Extensions.Compliance.Redaction;
using Pipeline.Core.Privacy;
using Pipeline.Core.Audit;

namespace Pipeline.Host.Privacy;

/// <summary>
/// Logs personal data as the same keyed pseudonym the audit rows carry, so a log line and an audit
/// row about one person correlate without either naming them. The key is read from configuration
/// on first use, not from the validated options: the logger exists before validation runs, and a
/// log line must never be what reports (or hides) a configuration failure.
/// </summary>
internal sealed class PseudonymLogRedactor(IConfiguration configuration) : Redactor
{
    private string? _key;

    private static readonly int Length = Pseudonyms.Prefix.Length + 32;

    public override int GetRedactedLength(ReadOnlySpan<char> input) => input.IsEmpty ? 0 : Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        if (source.IsEmpty)
        {
            return 0;
        }

        _key ??= configuration[$"{AuditOptions.SectionName}:PseudonymKey"] ?? "";
        var pseudonym = Pseudonyms.Of(_key, source.ToString());
        pseudonym.AsSpan().CopyTo(destination);
        return pseudonym.Length;
    }
}
