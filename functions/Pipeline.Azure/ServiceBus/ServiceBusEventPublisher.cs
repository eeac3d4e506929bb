using Azure.Core;
using Azure.Messaging.ServiceBus;
using Pipeline.Core.Events;
using Pipeline.Azure.Resilience;

namespace Pipeline.Azure.ServiceBus;

/// <summary>
/// Azure mode's publisher: one <see cref="ServiceBusSender"/> for the topic, shared by every request
/// (senders are thread-safe and hold the AMQP link; one per request would open a link per webhook).
/// Each event goes in a one-message batch, so its size is checked against the link's real maximum
/// before anything is sent: an event that can never fit is an <see cref="EventTooLargeException"/>,
/// not a retry loop. Every other broker failure is a <see cref="BrokerUnavailableException"/>.
/// </summary>
/// <remarks>
/// A retried send after a lost acknowledgement can enqueue the message twice; the <c>MessageId</c> (the
/// event id) lets the topic's duplicate detection drop the copy, and the consumers are idempotent regardless.
/// </remarks>
public sealed class ServiceBusEventPublisher(ServiceBusSender sender) : IEventPublisher
{
    /// <summary>
    /// How the SDK retries one send inside a webhook request: a vendor waits on the answer, so a few
    /// short tries (at most about 35 s in all), then 503 and the vendor's own retry, which loses nothing.
    /// </summary>
    public static ServiceBusRetryOptions IngressRetry => new()
    {
        Mode = ServiceBusRetryMode.Exponential,
        MaxRetries = 2,
        Delay = TimeSpan.FromMilliseconds(500),
        MaxDelay = TimeSpan.FromSeconds(4),
        TryTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>The namespace client on the app's identity; the host keeps one for the process.</summary>
    public static ServiceBusClient CreateClient(ServiceBusOptions options, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ServiceBusClient(
            FullyQualifiedNamespace(options.FullyQualifiedNamespace),
            credential,
            new ServiceBusClientOptions { RetryOptions = IngressRetry, Identifier = "pipeline-ingress" });
    }

    /// <summary>
    /// <c>contoso.servicebus.windows.net</c>; a full URI (the Bicep <c>serviceBusEndpoint</c> output,
    /// <c>https://contoso.servicebus.windows.net:443/</c>) is reduced to its host.
    /// </summary>
    public static string FullyQualifiedNamespace(string? configured)
    {
        var text = configured?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            throw new InvalidOperationException("Pipeline:ServiceBus:FullyQualifiedNamespace is not set.");
        }

        var candidate = text.Contains("://", StringComparison.Ordinal) ? text : "sb://" + text;
        if (!Uri.TryCreate(candidate, UriKind.Absolute, out var uri) || uri.Host.Length == 0 || uri.Scheme is not ("sb" or "https" or "amqps"))
        {
            throw new InvalidOperationException("Pipeline:ServiceBus:FullyQualifiedNamespace is not a host name or an sb/https URI.");
        }

        return uri.Host;
    }

    /// <inheritdoc />
    public async Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var outgoing = ToServiceBusMessage(message);
        try
        {
            using var batch = await sender.CreateMessageBatchAsync(cancellationToken);
            if (!batch.TryAddMessage(outgoing))
            {
                throw new EventTooLargeException($"The event does not fit a message of at most {batch.MaxSizeInBytes} bytes.");
            }

            await sender.SendMessagesAsync(batch, cancellationToken);
        }
        catch (ServiceBusException e) when (e.Reason == ServiceBusFailureReason.MessageSizeExceeded)
        {
            // The service has the last word on size (its limit can be lower than the link advertised).
            throw new EventTooLargeException("Service Bus refused the event as too large.", e);
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            throw new BrokerUnavailableException($"Service Bus did not accept the event ({Describe(e)}).", e);
        }
    }

    /// <summary>The SDK message: broker properties, the body as is, and typed application properties.</summary>
    public static ServiceBusMessage ToServiceBusMessage(BusMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var outgoing = new ServiceBusMessage(BinaryData.FromBytes(message.Body))
        {
            MessageId = message.MessageId,
            CorrelationId = message.CorrelationId,
            ContentType = message.ContentType,
        };
        foreach (var (name, value) in message.Properties)
        {
            // Typed on the wire: the transcripts subscription's filter "hasTranscript = TRUE" needs a boolean.
            outgoing.ApplicationProperties[name] = value switch
            {
                string or bool => value,
                _ => throw new ArgumentException($"Application property '{name}' is a {value.GetType().Name}; only strings and booleans are sent.", nameof(message)),
            };
        }

        return outgoing;
    }

    /// <summary>
    /// Whatever keeps the broker from taking the message now without saying it never will: every
    /// <see cref="ServiceBusException"/> reason but size (busy, timeout, communication, quota, entity
    /// missing or disabled while an operator fixes it), access refused (a role assignment still
    /// propagating), a token the identity could not get, a timeout, and a cancellation the caller did not ask for.
    /// </summary>
    private static string Describe(Exception e) => e switch
    {
        ServiceBusException bus => $"{bus.Reason}, transient: {bus.IsTransient}",
        _ => e.GetType().Name,
    };
}
