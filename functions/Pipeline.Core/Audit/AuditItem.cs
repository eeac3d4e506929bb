using System.Text.Json;

namespace Pipeline.Core.Audit;

/// <summary>
/// An audit row as callers see it, the one shape for every reader: the audit query API, a subject export and
/// <c>pipeline audit query --format json</c>. Leaves out what is storage's (tenant, keys, chain, trace).
/// </summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Action">What happened.</param>
/// <param name="Outcome">How it ended (<see cref="AuditOutcome"/>'s text).</param>
/// <param name="Actor">Who did it.</param>
/// <param name="ResourceType">What kind of thing it touched.</param>
/// <param name="ResourceId">Which one.</param>
/// <param name="EventId">The pipeline event, when there is one.</param>
/// <param name="Subject">The subject's pseudonym, when there is one.</param>
/// <param name="Details">Further non-personal facts.</param>
public sealed record AuditItem(
    DateTimeOffset Timestamp,
    string Action,
    string Outcome,
    string Actor,
    string ResourceType,
    string? ResourceId,
    string? EventId,
    string? Subject,
    IReadOnlyDictionary<string, string> Details)
{
    /// <summary>camelCase names, as the API writes them.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    /// <summary>The caller's view of <paramref name="entry"/>.</summary>
    public static AuditItem From(AuditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Timestamp, entry.Action, entry.Outcome, entry.Actor, entry.ResourceType, entry.ResourceId, entry.EventId, entry.Subject, entry.Details);
    }
}
