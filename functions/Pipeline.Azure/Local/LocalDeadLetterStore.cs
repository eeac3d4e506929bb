using System.Runtime.CompilerServices;
using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Pipeline.Azure.DeadLetters;
using Pipeline.Core.Events;

namespace Pipeline.Azure.Local;

/// <summary>
/// Local mode's dead letters: the poison queues the dispatcher moves a message to after its tenth failed
/// delivery. A queue message is locked by making it invisible (as the dispatcher does), removed by
/// deleting it, released by making it visible again.
/// </summary>
public sealed class LocalDeadLetterStore(QueueServiceClient queueService, LocalSubscriptions subscriptions, TimeProvider timeProvider) : IDeadLetterStore
{
    /// <summary>A queue peek shows at most this many messages, and a receive takes at most this many.</summary>
    private const int QueuePage = 32;

    /// <summary>Long enough for one message's replay; released explicitly well before.</summary>
    private static readonly TimeSpan Lock = TimeSpan.FromMinutes(5);

    /// <summary>Azurite queues have no duplicate detection: a replay is delivered whenever it is sent.</summary>
    public TimeSpan DuplicateDetectionWindow => TimeSpan.Zero;

    /// <inheritdoc />
    public async IAsyncEnumerable<DeadLetter> PeekAsync(string? subscription = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var name in TopicSubscriptions.Select(subscription))
        {
            var queue = PoisonQueue(name);
            if (!await queue.ExistsAsync(cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            PeekedMessage[] peeked = await queue.PeekMessagesAsync(QueuePage, cancellationToken).ConfigureAwait(false);
            if (peeked.Length < QueuePage)
            {
                foreach (var message in peeked)
                {
                    yield return ToDeadLetter(name, message.MessageId, message.MessageText, message.InsertedOn);
                }

                continue;
            }

            // A queue peek cannot page past the first 32: take them all briefly, then put them back unchanged.
            foreach (var deadLetter in await ReceiveAllThenReleaseAsync(name, queue, cancellationToken).ConfigureAwait(false))
            {
                yield return deadLetter;
            }
        }
    }

    /// <inheritdoc />
    public async Task ProcessAsync(IReadOnlyCollection<DeadLetter> targets, Func<DeadLetterLease, CancellationToken, Task> handle, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(handle);
        foreach (var group in targets.GroupBy(t => t.Subscription, StringComparer.Ordinal))
        {
            var queue = PoisonQueue(group.Key);
            var wanted = group.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            var held = new List<QueueMessage>();
            try
            {
                while (wanted.Count > 0)
                {
                    QueueMessage[] received = await queue.ReceiveMessagesAsync(QueuePage, Lock, cancellationToken).ConfigureAwait(false);
                    if (received.Length == 0)
                    {
                        break;
                    }

                    foreach (var message in received)
                    {
                        if (!wanted.Remove(message.MessageId))
                        {
                            held.Add(message);
                            continue;
                        }

                        await DeadLetterLease.OfferAsync(
                            ToDeadLetter(group.Key, message.MessageId, message.MessageText, message.InsertedOn),
                            token => queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, token),
                            handle,
                            () => held.Add(message),
                            cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                await ReleaseAsync(queue, held).ConfigureAwait(false);
            }
        }
    }

    private QueueClient PoisonQueue(string subscription) => queueService.GetQueueClient(LocalSubscriptions.PoisonQueue(subscriptions.QueueOf(subscription)));

    private async Task<List<DeadLetter>> ReceiveAllThenReleaseAsync(string subscription, QueueClient queue, CancellationToken cancellationToken)
    {
        var held = new List<QueueMessage>();
        try
        {
            while (true)
            {
                QueueMessage[] received = await queue.ReceiveMessagesAsync(QueuePage, Lock, cancellationToken).ConfigureAwait(false);
                if (received.Length == 0)
                {
                    break;
                }

                held.AddRange(received);
            }

            return held.Select(m => ToDeadLetter(subscription, m.MessageId, m.MessageText, m.InsertedOn)).ToList();
        }
        finally
        {
            await ReleaseAsync(queue, held).ConfigureAwait(false);
        }
    }

    // Released even when the operation was cancelled: a message left invisible would look lost for minutes.
    private static async Task ReleaseAsync(QueueClient queue, List<QueueMessage> held)
    {
        foreach (var message in held)
        {
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    private DeadLetter ToDeadLetter(string subscription, string queueMessageId, string text, DateTimeOffset? insertedOn)
    {
        if (LocalQueueEnvelope.TryParse(text) is { } envelope)
        {
            // Poison copies written before they carried the reason can only have got there the one way.
            return new DeadLetter(
                envelope.MessageId,
                subscription,
                queueMessageId,
                envelope.EnqueuedTimeUtc,
                envelope.DeliveryCount ?? LocalSubscriptions.MaxDeliveryCount,
                envelope.DeadLetterReason ?? LocalQueueEnvelope.MaxDeliveryCountExceeded,
                envelope.DeadLetterErrorDescription,
                envelope.ToBusMessage());
        }

        return new DeadLetter(
            queueMessageId,
            subscription,
            queueMessageId,
            insertedOn ?? timeProvider.GetUtcNow(),
            0,
            InvalidEnvelope,
            "The queue message is not a pipeline message envelope; it was never delivered.",
            new BusMessage(queueMessageId, "", "", Encoding.UTF8.GetBytes(text), new Dictionary<string, object>(StringComparer.Ordinal)));
    }

    /// <summary>The reason shown for a poison message that is not an envelope at all.</summary>
    public const string InvalidEnvelope = "InvalidEnvelope";
}
