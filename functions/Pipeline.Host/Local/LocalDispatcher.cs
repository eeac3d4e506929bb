using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Pipeline.Azure.Local;
using Pipeline.Core.Configuration;
using Pipeline.Core.Telemetry;
using Pipeline.Host.Invocations;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Local;

/// <summary>
/// Local mode's Service Bus trigger: receives from the Azurite queue of each subscription and invokes
/// the subscribed function with the payload the Functions host would send. Service Bus semantics:
/// a received message is locked (invisible) while it runs, deleted on success, made visible again
/// after a short back-off on failure, and moved to the poison queue after the tenth failed delivery.
/// A function whose trigger has <c>"cardinality": "many"</c> (WriteAudit) gets what one receive loop
/// collects, up to <see cref="LocalDispatcherOptions.MaxMessageBatchSize"/>, in one invocation shaped as the
/// host's batch (<see cref="LocalInvocations.BuildBatchInvocation"/>), and the batch is settled as the Service Bus extension
/// settles it: all completed on success, all abandoned on failure.
/// </summary>
internal sealed class LocalDispatcher(
    QueueServiceClient queueService,
    LocalSubscriptions subscriptions,
    QueueEventPublisher publisher,
    FunctionInvoker invoker,
    IEnumerable<FunctionRegistration> registrations,
    LocalDispatcherOptions options,
    PipelineOptions pipelineOptions,
    TimeProvider timeProvider,
    ILogger<LocalDispatcher> logger) : BackgroundService
{
    /// <summary>The most one Azure Storage queue receive returns.</summary>
    private const int MaxMessagesPerReceive = 32;

    /// <summary>The longest a poison message is kept (issue 16 item 8).</summary>
    public static readonly TimeSpan MaxPoisonLifetime = TimeSpan.FromDays(7);

    /// <summary>
    /// A poison message holds the full event, payload and all, so it must not outlive the data it
    /// carries: it expires (queue message time-to-live) after seven days, or the shortest transcript
    /// retention of any tenant when that is shorter.
    /// </summary>
    private TimeSpan PoisonLifetime => TimeSpan.FromDays(Math.Min(
        MaxPoisonLifetime.TotalDays,
        pipelineOptions.Tenants.Values.Select(t => t.Privacy.TranscriptRetentionDays).DefaultIfEmpty(int.MaxValue).Min()));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await publisher.CreateQueuesAsync(stoppingToken);
        // Each Service Bus function's subscription, as its registration names it (the same name as its function.json).
        await Task.WhenAll(registrations.Where(r => r.Subscription is not null).Select(r =>
            PumpAsync(subscriptions.QueueOf(r.Subscription!), r.Name, r.ReceivesBatches, stoppingToken)));
    }

    private async Task PumpAsync(string queueName, string function, bool batched, CancellationToken stoppingToken)
    {
        var queue = queueService.GetQueueClient(queueName);
        var idle = options.PollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var messages = batched
                    ? await ReceiveBatchAsync(queue, stoppingToken)
                    : await queue.ReceiveMessagesAsync(options.BatchSize, options.LockDuration, stoppingToken);
                if (batched && messages.Length > 0)
                {
                    await DeliverBatchAsync(queue, function, messages, stoppingToken);
                }
                else
                {
                    foreach (var message in messages)
                    {
                        await DeliverAsync(queue, function, message, stoppingToken);
                    }
                }

                idle = messages.Length > 0 ? options.PollInterval : TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, options.MaxPollInterval.Ticks));
                if (messages.Length == 0)
                {
                    await Task.Delay(idle, timeProvider, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Azurite unreachable for a moment (Azure.Core reports exhausted retries as an
                // AggregateException): the messages stay queued, and the pump must outlive it.
                Log.ReceiveFailed(logger, queueName, e);
                await Task.Delay(options.MaxPollInterval, timeProvider, stoppingToken);
            }
        }
    }

    // A queue receive returns at most 32 messages; keep receiving while they come full, as the host's batch receive fills up to its maximum.
    private async Task<QueueMessage[]> ReceiveBatchAsync(QueueClient queue, CancellationToken stoppingToken)
    {
        var received = new List<QueueMessage>();
        while (received.Count < options.MaxMessageBatchSize)
        {
            var want = Math.Min(MaxMessagesPerReceive, options.MaxMessageBatchSize - received.Count);
            QueueMessage[] page = await queue.ReceiveMessagesAsync(want, options.LockDuration, stoppingToken);
            received.AddRange(page);
            if (page.Length < want)
            {
                break;
            }
        }

        return [.. received];
    }

    private async Task DeliverAsync(QueueClient queue, string function, QueueMessage message, CancellationToken stoppingToken)
    {
        if (LocalQueueEnvelope.TryParse(message.MessageText) is not { } envelope)
        {
            await PoisonUnreadableAsync(queue, function, message, stoppingToken);
            return;
        }

        var payload = LocalInvocations.BuildInvocation(envelope, (int)message.DequeueCount, function, timeProvider.GetUtcNow());
        var result = await invoker.InvokeAsync(function, payload, stoppingToken);
        await SettleAsync(queue, function, message, envelope, result.Succeeded, stoppingToken);
    }

    private async Task DeliverBatchAsync(QueueClient queue, string function, QueueMessage[] messages, CancellationToken stoppingToken)
    {
        var batch = new List<(QueueMessage Message, LocalQueueEnvelope Envelope)>(messages.Length);
        foreach (var message in messages)
        {
            if (LocalQueueEnvelope.TryParse(message.MessageText) is { } envelope)
            {
                batch.Add((message, envelope));
            }
            else
            {
                await PoisonUnreadableAsync(queue, function, message, stoppingToken);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var payload = LocalInvocations.BuildBatchInvocation([.. batch.Select(m => (m.Envelope, (int)m.Message.DequeueCount))], function, timeProvider.GetUtcNow());
        var result = await invoker.InvokeAsync(function, payload, stoppingToken);
        // Settled even while stopping, as the Service Bus extension does (CancellationToken.None).
        await Task.WhenAll(batch.Select(m => SettleAsync(queue, function, m.Message, m.Envelope, result.Succeeded, CancellationToken.None)));
    }

    private async Task PoisonUnreadableAsync(QueueClient queue, string function, QueueMessage message, CancellationToken stoppingToken)
    {
        Log.Poisoned(logger, queue.Name, message.MessageId, message.DequeueCount);
        PipelineMetrics.DeadLettered(function);
        await MoveToPoisonAsync(queue, message, message.MessageText, stoppingToken);
    }

    /// <summary>
    /// Complete on success; otherwise abandon, or dead-letter after the last delivery, as Service Bus does. A long
    /// invocation can outlive the lock (the queue message's invisibility): the message was then delivered again, and
    /// its pop receipt no longer settles it (Service Bus: MessageLockLost). That delivery settles it instead; the rows
    /// are written once either way, since every write is idempotent.
    /// </summary>
    private async Task SettleAsync(QueueClient queue, string function, QueueMessage message, LocalQueueEnvelope envelope, bool succeeded, CancellationToken stoppingToken)
    {
        try
        {
            await SettleOrThrowAsync(queue, function, message, envelope, succeeded, stoppingToken);
        }
        catch (RequestFailedException e) when (e.Status == 404 || e.ErrorCode == "PopReceiptMismatch")
        {
            Log.LockLost(logger, function, envelope.MessageId);
        }
    }

    private async Task SettleOrThrowAsync(QueueClient queue, string function, QueueMessage message, LocalQueueEnvelope envelope, bool succeeded, CancellationToken stoppingToken)
    {
        if (succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        else if (message.DequeueCount >= LocalSubscriptions.MaxDeliveryCount)
        {
            Log.Poisoned(logger, queue.Name, envelope.MessageId, message.DequeueCount);
            PipelineMetrics.DeadLettered(function);
            await MoveToPoisonAsync(queue, message, envelope.DeadLettered(message.DequeueCount).ToJson(), stoppingToken);
        }
        else
        {
            // Abandon: visible again after a back-off that grows with each delivery.
            var backoff = TimeSpan.FromTicks(Math.Min(options.RetryBackoff.Ticks << (int)Math.Min(message.DequeueCount - 1, 16), options.MaxRetryBackoff.Ticks));
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: backoff, cancellationToken: stoppingToken);
            Log.DeliveryFailed(logger, function, envelope.MessageId, message.DequeueCount);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueMessage message, string poisonText, CancellationToken cancellationToken)
    {
        // The poison copy says why, as a Service Bus dead letter does (pipeline deadletter list shows it),
        // and expires within retention even where no retention run removes it first.
        await queueService.GetQueueClient(LocalSubscriptions.PoisonQueue(queue.Name))
            .SendMessageAsync(poisonText, visibilityTimeout: null, timeToLive: PoisonLifetime, cancellationToken);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
    }
}
