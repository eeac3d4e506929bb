using System.Text.Json;
using Pipeline.Core.Events;
using Pipeline.Core.Privacy;

namespace Pipeline.Core.Audit;

/// <summary>
/// The rows WriteAudit records for an accepted event: the <c>event.accepted</c> row with a redacted
/// summary of the payload and the first subject's pseudonym, and one <c>event.subject</c> row per
/// further subject (TwinMind meetings have several), so a subject query finds every event about them.
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
        var subjects = SubjectsOf(accepted).Select(redactor.Pseudonym).Distinct(StringComparer.Ordinal).ToList();
        var summary = redactor.Redact(accepted.Payload)?.ToJsonString() ?? "null";
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
        rows.AddRange(subjects.Skip(1).Select(subject => new AuditEntry(
            accepted.Tenant, accepted.ReceivedAt, SubjectReferenced, "success", $"vendor:{accepted.Vendor}", "subject", subject, accepted.EventId, subject,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["vendor"] = accepted.Vendor, ["eventType"] = accepted.EventType })
        {
            KeySuffix = subject,
        }));
        return rows;
    }

    /// <summary>
    /// The raw identifiers of the people an event is about: a MindTickle SCIM user's <c>userName</c>
    /// (else its emails), a training event's user email, TwinMind participants' emails.
    /// </summary>
    public static IEnumerable<string> SubjectsOf(PipelineEvent pipelineEvent)
    {
        if (!pipelineEvent.Payload.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            yield break;
        }

        if (data.TryGetProperty("user", out var user) && user.ValueKind == JsonValueKind.Object)
        {
            if (Text(user, "userName") is { } userName)
            {
                yield return userName;
            }
            else if (user.TryGetProperty("emails", out var emails) && emails.ValueKind == JsonValueKind.Array)
            {
                foreach (var email in emails.EnumerateArray())
                {
                    if (Text(email, "value") is { } value)
                    {
                        yield return value;
                        break;
                    }
                }
            }
        }

        foreach (var field in (string[])["user_email", "email", "userName"])
        {
            if (Text(data, field) is { } identifier)
            {
                yield return identifier;
            }
        }

        if (data.TryGetProperty("participants", out var participants) && participants.ValueKind == JsonValueKind.Array)
        {
            foreach (var participant in participants.EnumerateArray())
            {
                if (Text(participant, "email") is { } email)
                {
                    yield return email;
                }
            }
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
