using Pipeline.Core.Privacy;
using static Pipeline.Core.Privacy.PipelineTaxonomy;

namespace Pipeline.Core.Webhooks.Vendors.TwinMind;

/// <summary>
/// TwinMind's event schemas (SPEC §3.1). The transcript, summary, action items, meeting title and
/// participant names are personal: they live only in the sealed transcript, never in a row.
/// </summary>
public static class TwinMindEvents
{
    /// <summary>The event type that carries a meeting transcript.</summary>
    public const string TranscriptCompleted = "transcript.completed";

    /// <summary><c>{"id", "type", "created_at", "data"}</c>.</summary>
    public static EventSchema Envelope { get; } = EventSchema.Of(("id", Safe), ("type", Safe), ("created_at", Safe));

    /// <summary>The event types TwinMind sends, each with its schema.</summary>
    public static IReadOnlyDictionary<string, EventSchema> Types { get; } = new Dictionary<string, EventSchema>(StringComparer.Ordinal)
    {
        [TranscriptCompleted] = Envelope.With(
            ("data/transcript_id", Safe),
            ("data/meeting_id", Safe),
            ("data/language", Safe),
            // The participants' recorded consent to keeping the transcript (Privacy:RequireConsent).
            ("data/consent", Safe),
            ("data/participants/[]/email", Subject),
            ("data/participants/[]/name", PersonalData),
            ("data/transcript", PersonalData),
            ("data/summary", PersonalData),
            ("data/action_items/[]", PersonalData),
            ("data/title", PersonalData)),
    };
}
