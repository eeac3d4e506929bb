using Pipeline.Core.Events;
using Pipeline.Core.Privacy;
using Pipeline.Core.Webhooks.Vendors;

namespace Pipeline.Core.Audit;

/// <summary>
/// The rows WriteAudit records for an accepted event: the <c>event.accepted</c> row with the fields
/// the event's schema classifies safe (subjects as pseudonyms, nothing else) and the first subject's
/// pseudonym, and one <c>event.subject</c> row per further subject (TwinMind meetings have several), so a subject query finds every event about them.
/// </summary>
public static class EventAudit
{
    /// <summary>Links an event to one more of its subjects.</summary>
    public const string SubjectReferenced = "event.subject";

    /// <summary>The longest payload summary kept: a table string property holds 64 KiB of UTF-16.</summary>
    public const int MaxPayloadChars = 30_000;

    /// <summary>The rows for <paramref name="accepted"/>; all share its partition.</summary>
    public static IReadOnlyList<AuditEntry> For(PipelineEvent accepted, PayloadRedactor redactor)
    {
        var projected = redactor.Project(EventSchemas.For(accepted.Vendor, accepted.EventType), accepted.Payload);
        var subjects = projected.Subjects.Select(redactor.Pseudonym).Distinct(StringComparer.Ordinal).ToList();
        var summary = projected.Kept?.ToJsonString() ?? "{}";
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["vendor"] = accepted.Vendor,
            ["eventType"] = accepted.EventType,
            ["payload"] = summary.Length <= MaxPayloadChars ? summary : summary[..MaxPayloadChars],
        };
        if (summary.Length > MaxPayloadChars)
        {
            details["payloadTruncated"] = "true";
        }

        if (subjects.Count > 1)
        {
            details["subjects"] = string.Join(' ', subjects);
        }

        var rows = new List<AuditEntry>(subjects.Count + 1)
        {
            AuditActions.ForAcceptedEvent(accepted) with { Subject = subjects.FirstOrDefault(), Details = details },
        };
        rows.AddRange(subjects.Skip(1).Select(subject => AuditEntry.ByVendor(
            accepted.Vendor,
            accepted.Tenant,
            accepted.ReceivedAt,
            SubjectReferenced,
            AuditOutcome.Success,
            new AuditResource("subject", subject),
            eventId: accepted.EventId,
            subject: subject,
            details: new Dictionary<string, string>(StringComparer.Ordinal) { ["vendor"] = accepted.Vendor, ["eventType"] = accepted.EventType }) with
        {
            KeySuffix = subject,
        }));
        return rows;
    }

    /// <summary>
    /// The raw identifiers of the people an event is about: the fields its schema classifies
    /// <see cref="PipelineTaxonomy.Subject"/> (a SCIM user's <c>userName</c> and emails, a training
    /// event's user email, TwinMind participants' emails), the first declared first.
    /// </summary>
    public static IReadOnlyList<string> SubjectsOf(PipelineEvent pipelineEvent) =>
        SubjectReader.Project(EventSchemas.For(pipelineEvent.Vendor, pipelineEvent.EventType), pipelineEvent.Payload).Subjects;

    // Only the subjects are read from it; the key never leaves this class.
    private static readonly PayloadRedactor SubjectReader = new("subjects-only");
}
