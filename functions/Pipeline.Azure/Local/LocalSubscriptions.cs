using Pipeline.Core.Events;

namespace Pipeline.Azure.Local;

/// <summary>
/// Local mode's stand-in for the topic's two subscriptions: one Azurite queue each, named after the
/// topic, with the same filters as the Bicep subscriptions (<c>transcripts</c> takes only events
/// with a transcript, <c>audit</c> takes every event).
/// </summary>
/// <param name="Topic">The topic name (app setting <c>ServiceBusTopicName</c>, or <c>Pipeline:ServiceBus:TopicName</c>); tests use one each.</param>
public sealed record LocalSubscriptions(string Topic)
{
    /// <summary>As the subscriptions' <c>maxDeliveryCount</c>.</summary>
    public const int MaxDeliveryCount = 10;

    /// <summary>Queue standing in for the <c>audit</c> subscription.</summary>
    public string AuditQueue => $"{Topic}-audit";

    /// <summary>Queue standing in for the <c>transcripts</c> subscription.</summary>
    public string TranscriptsQueue => $"{Topic}-transcripts";

    /// <summary>The queue standing in for the subscription of that name (<c>audit</c> or <c>transcripts</c>).</summary>
    public string QueueOf(string subscription) => subscription switch
    {
        DeadLetters.TopicSubscriptions.Audit => AuditQueue,
        DeadLetters.TopicSubscriptions.Transcripts => TranscriptsQueue,
        _ => throw new ArgumentException($"No subscription '{subscription}'.", nameof(subscription)),
    };

    /// <summary>Where a message goes after <see cref="MaxDeliveryCount"/> failed deliveries.</summary>
    public static string PoisonQueue(string queue) => queue + "-poison";

    /// <summary>The queues a message is delivered to.</summary>
    public IEnumerable<string> QueuesFor(BusMessage message)
    {
        yield return AuditQueue;
        if (message.HasTranscript)
        {
            yield return TranscriptsQueue;
        }
    }
}
