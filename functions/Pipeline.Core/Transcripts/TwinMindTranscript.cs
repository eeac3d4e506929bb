using System.Text;
using System.Text.Json;

namespace Pipeline.Core.Transcripts;

/// <summary>
/// The parts of a TwinMind <c>transcript.completed</c> event the transcript store needs. Names are read
/// only to be dropped: the store keeps pseudonyms of the emails and nothing else about participants.
/// </summary>
/// <param name="TranscriptId"><c>data.transcript_id</c>.</param>
/// <param name="MeetingId"><c>data.meeting_id</c>, when present.</param>
/// <param name="Language"><c>data.language</c>, when present.</param>
/// <param name="Text">The transcript as UTF-8.</param>
/// <param name="ParticipantEmails">Distinct participant emails.</param>
/// <param name="Consent">True only when the event records the participants' consent (<c>data.consent: true</c>).</param>
public sealed record TwinMindTranscript(
    string TranscriptId,
    string? MeetingId,
    string? Language,
    byte[] Text,
    IReadOnlyList<string> ParticipantEmails,
    bool Consent = false)
{
    /// <summary>The event type that carries a transcript.</summary>
    public const string EventType = "transcript.completed";

    /// <summary>Reads <c>{"data": {...}}</c>; null when there is no transcript id or text.</summary>
    public static TwinMindTranscript? TryParse(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object
            || !payload.TryGetProperty("data", out var data)
            || data.ValueKind != JsonValueKind.Object
            || String(data, "transcript_id") is not { Length: > 0 } transcriptId
            || !data.TryGetProperty("transcript", out var transcript)
            || transcript.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var emails = new List<string>();
        if (data.TryGetProperty("participants", out var participants) && participants.ValueKind == JsonValueKind.Array)
        {
            foreach (var participant in participants.EnumerateArray())
            {
                if (String(participant, "email") is { Length: > 0 } email
                    && !emails.Contains(email.Trim(), StringComparer.OrdinalIgnoreCase))
                {
                    emails.Add(email.Trim());
                }
            }
        }

        return new TwinMindTranscript(
            transcriptId,
            String(data, "meeting_id"),
            String(data, "language"),
            Encoding.UTF8.GetBytes(transcript.GetString() ?? ""),
            emails,
            data.TryGetProperty("consent", out var consent) && consent.ValueKind == JsonValueKind.True);
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(name, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
}
