using Azure.Storage.Queues;
using Pipeline.Core.Events;

namespace Pipeline.Azure.Local;

/// <summary>
/// Local mode's publisher: writes the message to the queue of every subscription whose filter takes
/// it. A failure part-way throws, the webhook is answered 503 and retried; the consumers are
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
            await queueService.GetQueueClient(queueName).SendMessageAsync(text, cancellationToken);
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
