using Azure;
using Azure.Storage.Queues;
using Pipeline.Core.Events;
using Pipeline.Azure.Resilience;

namespace Pipeline.Azure.Local;

/// <summary>
/// Local mode's publisher: writes the message to the queue of every subscription whose filter takes
/// it. A failure part-way throws (<see cref="EventTooLargeException"/> or <see cref="BrokerUnavailableException"/>), the webhook is answered 503 and retried; the consumers are
/// idempotent, so the copy already queued does no harm.
/// </summary>
public sealed class QueueEventPublisher(QueueServiceClient queueService, LocalSubscriptions subscriptions, TimeProvider timeProvider) : IEventPublisher
{
    /// <inheritdoc />
    public async Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default)
    {
        var text = LocalQueueEnvelope.From(message, timeProvider.GetUtcNow()).ToJson();
        foreach (var queueName in subscriptions.QueuesFor(message))
        {
            try
            {
                await queueService.GetQueueClient(queueName).SendMessageAsync(text, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 413 || e.ErrorCode is "RequestBodyTooLarge" or "MessageTooLarge")
            {
                // A queue message holds 64 KiB: this event will never fit, however often it is retried.
                throw new EventTooLargeException("The event is larger than a queue message holds.", e);
            }
            // Storage or transport failing: "not now", as Service Bus says it, so the ingress maps one exception.
            catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
            {
                throw new BrokerUnavailableException($"The {queueName} queue did not take the event ({e.GetType().Name}).", e);
            }
        }
    }

    /// <summary>Creates the subscription queues and their poison queues; called once at start.</summary>
    public async Task CreateQueuesAsync(CancellationToken cancellationToken = default)
    {
        foreach (var queue in new[] { subscriptions.AuditQueue, subscriptions.TranscriptsQueue })
        {
            await queueService.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await queueService.GetQueueClient(LocalSubscriptions.PoisonQueue(queue)).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
