using Microsoft.Extensions.Compliance.Redaction;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Privacy;

/// <summary>
/// Logs personal data as the same keyed pseudonym the audit rows carry, so a log line and an audit
/// row about one person correlate without either naming them.
/// </summary>
internal sealed class PseudonymLogRedactor(PipelineOptions options) : Redactor
{
    private static readonly int Length = Pseudonyms.Prefix.Length + 32;

    public override int GetRedactedLength(ReadOnlySpan<char> input) => input.IsEmpty ? 0 : Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        if (source.IsEmpty)
        {
            return 0;
        }

        var pseudonym = Pseudonyms.Of(options.Audit.PseudonymKey ?? "", source.ToString());
        pseudonym.AsSpan().CopyTo(destination);
        return pseudonym.Length;
    }
}
