namespace Pipeline.Core.Events;

/// <summary>
/// Publishes to the event topic: Service Bus in Azure mode, Azurite queues in Local mode.
/// Completing means the broker has the message; any failure throws, so the webhook is not acknowledged.
/// </summary>
/// <remarks>
/// Two failures are the broker's word rather than a bug: <see cref="EventTooLargeException"/> (this event
/// will never fit: retrying cannot help) and <see cref="BrokerUnavailableException"/> (not now: a retry
/// later can succeed). Publishers translate their SDK's exceptions into these, so callers depend on no SDK.
/// </remarks>
public interface IEventPublisher
{
    /// <summary>Sends one message to the topic.</summary>
    /// <exception cref="EventTooLargeException">The message exceeds what the broker accepts.</exception>
    /// <exception cref="BrokerUnavailableException">The broker did not take the message this time.</exception>
    Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default);
}

/// <summary>The broker will never accept this message: it is larger than its message size limit.</summary>
public sealed class EventTooLargeException : Exception
{
    public EventTooLargeException()
        : base("The event is larger than the broker accepts.")
    {
    }

    public EventTooLargeException(string message)
        : base(message)
    {
    }

    public EventTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The broker did not take the message this time (unreachable, busy, throttled, not authorised yet).</summary>
public sealed class BrokerUnavailableException : Exception
{
    public BrokerUnavailableException()
        : base("The broker did not accept the event.")
    {
    }

    public BrokerUnavailableException(string message)
        : base(message)
    {
    }

    public BrokerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
