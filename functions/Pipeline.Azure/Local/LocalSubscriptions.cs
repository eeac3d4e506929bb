using Pipeline.Core.Events;

namespace Pipeline.Azure.Local;

/// <summary>
/// Local mode's stand-in for the topic's two subscriptions: one Azurite queue each, with the same
/// filters as the Bicep subscriptions (<c>transcripts</c> takes only events with a transcript).
/// </summary>
public static class LocalSubscriptions
{
    /// <summary>Queue standing in for the <c>audit</c> subscription (every event).</summary>
    public const string AuditQueue = "pipeline-events-audit";

    /// <summary>Queue standing in for the <c>transcripts</c> subscription (<c>hasTranscript = true</c>).</summary>
    public const string TranscriptsQueue = "pipeline-events-transcripts";

    /// <summary>Where a message goes after <see cref="MaxDeliveryCount"/> failed deliveries.</summary>
    public static string PoisonQueue(string queue) => queue + "-poison";

    /// <summary>As the subscriptions' <c>maxDeliveryCount</c>.</summary>
    public const int MaxDeliveryCount = 10;

    /// <summary>The queues a message is delivered to.</summary>
    public static IEnumerable<string> QueuesFor(BusMessage message)
    {
        yield return AuditQueue;
        if (message.HasTranscript)
        {
            yield return TranscriptsQueue;
        }
    }
}
