using System.Globalization;
using System.Text.Json;
using static Pipeline.Core.Webhooks.PayloadFields;

namespace Pipeline.Core.Webhooks.Vendors.TwinMind;

/// <summary>
/// The data of TwinMind's <c>transcript.completed</c>: a valid transcript id, the transcript text, and
/// participants whose emails are valid addresses.
/// </summary>
internal static class TranscriptPayload
{
    /// <summary>Checks <c>data</c>; returns the path of the first invalid field, or null.</summary>
    public static string? Validate(JsonElement payload)
    {
        if (Data(payload, out var data) is { } invalidData)
        {
            return invalidData;
        }

        if (!data.TryGetProperty("transcript_id", out var id) || id.ValueKind != JsonValueKind.String || !Transcripts.TranscriptIds.IsValid(id.GetString()))
        {
            return "data.transcript_id";
        }

        var invalid = Text(data, "meeting_id", "data.meeting_id", required: false, MaxShortText)
            ?? Text(data, "transcript", "data.transcript", required: true, int.MaxValue)
            ?? Text(data, "language", "data.language", required: false, 35);
        if (invalid is not null)
        {
            return invalid;
        }

        if (!data.TryGetProperty("participants", out var participants))
        {
            return null;
        }

        if (participants.ValueKind != JsonValueKind.Array)
        {
            return "data.participants";
        }

        var index = 0;
        foreach (var participant in participants.EnumerateArray())
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"data.participants[{index++}]");
            if (participant.ValueKind != JsonValueKind.Object)
            {
                return path;
            }

            if (Text(participant, "name", path + ".name", required: false, MaxShortText) is { } invalidName)
            {
                return invalidName;
            }

            if (participant.TryGetProperty("email", out var email)
                && (email.ValueKind != JsonValueKind.String || !EmailAddresses.IsValid(email.GetString())))
            {
                return path + ".email";
            }
        }

        return null;
    }
}
