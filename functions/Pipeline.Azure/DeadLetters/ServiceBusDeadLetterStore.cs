using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Messaging.ServiceBus;
using Pipeline.Core.Events;

namespace Pipeline.Azure.DeadLetters;

/// <summary>
/// Azure mode's dead letters: each subscription's dead-letter subqueue, through
/// <see cref="ServiceBusReceiver"/> with <see cref="SubQueue.DeadLetter"/>. Listing peeks (no lock, nothing
/// changes); acting receives in <see cref="ServiceBusReceiveMode.PeekLock"/>, completes what the handler
/// removes and abandons everything else it received on the way once done, so those stay as they were.
/// </summary>
/// <param name="receiverFor">A dead-letter receiver for a subscription name; disposed after each operation.</param>
/// <param name="duplicateDetectionWindow">The topic's duplicate detection window.</param>
public sealed class ServiceBusDeadLetterStore(Func<string, ServiceBusReceiver> receiverFor, TimeSpan duplicateDetectionWindow) : IDeadLetterStore
{
    private const int Page = 100;

    /// <summary>How long a receive waits for more before the subqueue counts as drained.</summary>
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(5);

    /// <summary>Application properties Service Bus adds when it dead-letters a message: not part of what was published.</summary>
    private static readonly HashSet<string> BrokerProperties = new(["DeadLetterReason", "DeadLetterErrorDescription"], StringComparer.Ordinal);

    /// <summary>The store over a topic's subscriptions on <paramref name="client"/> (whose identity needs receive rights on them).</summary>
    public static ServiceBusDeadLetterStore ForTopic(ServiceBusClient client, string topic, TimeSpan duplicateDetectionWindow)
    {
        ArgumentNullException.ThrowIfNull(client);
        return new ServiceBusDeadLetterStore(
            subscription => client.CreateReceiver(topic, subscription, new ServiceBusReceiverOptions
            {
                SubQueue = SubQueue.DeadLetter,
                ReceiveMode = ServiceBusReceiveMode.PeekLock,
                PrefetchCount = 0, // Prefetched messages would be locked without being looked at.
            }),
            duplicateDetectionWindow);
    }

    /// <inheritdoc />
    public TimeSpan DuplicateDetectionWindow => duplicateDetectionWindow;

    /// <inheritdoc />
    public async IAsyncEnumerable<DeadLetter> PeekAsync(string? subscription = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var name in TopicSubscriptions.Select(subscription))
        {
            var receiver = receiverFor(name);
            await using (receiver.ConfigureAwait(false))
            {
                long? from = null;
                while (true)
                {
                    var page = await receiver.PeekMessagesAsync(Page, from, cancellationToken).ConfigureAwait(false);
                    if (page.Count == 0)
                    {
                        break;
                    }

                    foreach (var message in page)
                    {
                        yield return ToDeadLetter(name, message);
                    }

                    from = page[^1].SequenceNumber + 1;
                }
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
            var receiver = receiverFor(group.Key);
            await using (receiver.ConfigureAwait(false))
            {
                var wanted = group.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
                var seen = new HashSet<long>();
                var held = new List<ServiceBusReceivedMessage>();
                try
                {
                    var cameRound = false;
                    while (wanted.Count > 0 && !cameRound)
                    {
                        var received = await receiver.ReceiveMessagesAsync(Page, ReceiveWait, cancellationToken).ConfigureAwait(false);
                        if (received.Count == 0)
                        {
                            break;
                        }

                        foreach (var message in received)
                        {
                            // A message seen before is back because its lock ran out: every message has been through.
                            cameRound |= !seen.Add(message.SequenceNumber);
                            if (!wanted.Remove(Key(message)))
                            {
                                held.Add(message);
                                continue;
                            }

                            await DeadLetterLease.OfferAsync(
                                ToDeadLetter(group.Key, message), token => receiver.CompleteMessageAsync(message, token), handle, () => held.Add(message), cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                finally
                {
                    await ReleaseAsync(receiver, held).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The dead letter a received (or peeked) message is.</summary>
    public static DeadLetter ToDeadLetter(string subscription, ServiceBusReceivedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var properties = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (name, value) in message.ApplicationProperties)
        {
            if (!BrokerProperties.Contains(name) && value is not null)
            {
                // The ingress sends strings and booleans only; anything else is kept as its invariant text.
                properties[name] = value is string or bool ? value : Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            }
        }

        return new DeadLetter(
            message.MessageId,
            subscription,
            Key(message),
            message.EnqueuedTime,
            message.DeliveryCount,
            message.DeadLetterReason,
            message.DeadLetterErrorDescription,
            new BusMessage(message.MessageId, message.CorrelationId ?? "", message.ContentType ?? "", message.Body.ToMemory(), properties));
    }

    private static string Key(ServiceBusReceivedMessage message) => message.SequenceNumber.ToString(CultureInfo.InvariantCulture);

    // Abandoned even when the operation was cancelled, so nothing waits out a lock; a lock already lost needs nothing.
    private static async Task ReleaseAsync(ServiceBusReceiver receiver, List<ServiceBusReceivedMessage> held)
    {
        foreach (var message in held)
        {
            try
            {
                await receiver.AbandonMessageAsync(message, cancellationToken: CancellationToken.None).ConfigureAwait(false);
            }
            catch (ServiceBusException e) when (e.Reason == ServiceBusFailureReason.MessageLockLost)
            {
            }
        }
    }
}
