using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Pipeline.Azure.Local;
using Pipeline.Core.Configuration;
using Pipeline.Core.Telemetry;
using Pipeline.Host.Invocations;

namespace Pipeline.Host.Local;

/// <summary>
/// Local mode's Service Bus trigger: receives from the Azurite queue of each subscription and invokes
/// the subscribed function with the payload the Functions host would send. Service Bus semantics:
/// a received message is locked (invisible) while it runs, deleted on success, made visible again
/// after a short back-off on failure, and moved to the poison queue after the tenth failed delivery.
/// </summary>
internal sealed class LocalDispatcher(
    QueueServiceClient queueService,
    LocalSubscriptions subscriptions,
    QueueEventPublisher publisher,
    FunctionInvoker invoker,
    LocalDispatcherOptions options,
    PipelineOptions pipelineOptions,
    TimeProvider timeProvider,
    ILogger<LocalDispatcher> logger) : BackgroundService
{
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
        await Task.WhenAll(
            PumpAsync(subscriptions.AuditQueue, Audit.AuditFunctions.WriteAudit, stoppingToken),
            PumpAsync(subscriptions.TranscriptsQueue, Transcripts.TranscriptFunctions.EncryptTranscript, stoppingToken));
    }

    private async Task PumpAsync(string queueName, string function, CancellationToken stoppingToken)
    {
        var queue = queueService.GetQueueClient(queueName);
        var idle = options.PollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                QueueMessage[] messages = await queue.ReceiveMessagesAsync(options.BatchSize, options.LockDuration, stoppingToken);
                foreach (var message in messages)
                {
                    await DeliverAsync(queue, function, message, stoppingToken);
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
                LocalLog.ReceiveFailed(logger, queueName, e);
                await Task.Delay(options.MaxPollInterval, timeProvider, stoppingToken);
            }
        }
    }

    private async Task DeliverAsync(QueueClient queue, string function, QueueMessage message, CancellationToken stoppingToken)
    {
        if (LocalQueueEnvelope.TryParse(message.MessageText) is not { } envelope)
        {
            LocalLog.Poisoned(logger, queue.Name, message.MessageId, message.DequeueCount);
            PipelineMetrics.DeadLettered(function);
            await MoveToPoisonAsync(queue, message, message.MessageText, stoppingToken);
            return;
        }

        var payload = BuildInvocation(envelope, (int)message.DequeueCount, function, timeProvider.GetUtcNow());
        var result = await invoker.InvokeAsync(function, payload, stoppingToken);
        if (result.Succeeded)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        else if (message.DequeueCount >= LocalSubscriptions.MaxDeliveryCount)
        {
            LocalLog.Poisoned(logger, queue.Name, envelope.MessageId, message.DequeueCount);
            PipelineMetrics.DeadLettered(function);
            await MoveToPoisonAsync(queue, message, envelope.DeadLettered(message.DequeueCount).ToJson(), stoppingToken);
        }
        else
        {
            // Abandon: visible again after a back-off that grows with each delivery.
            var backoff = TimeSpan.FromTicks(Math.Min(options.RetryBackoff.Ticks << (int)Math.Min(message.DequeueCount - 1, 16), options.MaxRetryBackoff.Ticks));
            await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: backoff, cancellationToken: stoppingToken);
            LocalLog.DeliveryFailed(logger, function, envelope.MessageId, message.DequeueCount);
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

    /// <summary>
    /// The Service Bus trigger's invocation payload as the Functions host sends it to a custom handler
    /// with <c>dataType: binary</c>: the body base64, metadata strings JSON-quoted.
    /// </summary>
    public static JsonElement BuildInvocation(LocalQueueEnvelope envelope, int deliveryCount, string function, DateTimeOffset now)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Data");
            writer.WriteBase64String(ReceivedMessage.BindingName, envelope.Body);
            writer.WriteEndObject();
            writer.WriteStartObject("Metadata");
            writer.WriteString("MessageId", Quote(envelope.MessageId));
            writer.WriteString("CorrelationId", Quote(envelope.CorrelationId));
            writer.WriteString("ContentType", Quote(envelope.ContentType));
            writer.WriteString("DeliveryCount", deliveryCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("EnqueuedTimeUtc", Quote(envelope.EnqueuedTimeUtc.ToString("O")));
            writer.WriteStartObject("ApplicationProperties");
            foreach (var (name, value) in envelope.Properties)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("sys");
            writer.WriteString("MethodName", function);
            writer.WriteString("UtcNow", now.ToString("O"));
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, LocalHostJsonContext.Default.String);
}

/// <summary>Timings of the Local mode dispatcher; tests shorten them.</summary>
internal sealed record LocalDispatcherOptions
{
    public int BatchSize { get; init; } = 16;

    /// <summary>As a Service Bus subscription's lock duration.</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryBackoff { get; init; } = TimeSpan.FromSeconds(30);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class LocalHostJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
