namespace Pipeline.Core.Events;

/// <summary>
/// Publishes to the event topic: Service Bus over REST in Azure mode, Azurite queues in Local mode.
/// Completing means the broker has the message; any failure throws, so the webhook is not acknowledged.
/// </summary>
public interface IEventPublisher
{
    /// <summary>Sends one message to the topic.</summary>
    Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default);
}
