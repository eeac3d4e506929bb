using System.Diagnostics;
using System.Text.Json;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Telemetry;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Invocations;
using Pipeline.Host.Logging;
using Pipeline.Host.Telemetry;

namespace Pipeline.Host.Audit;

/// <summary>
/// WriteAudit over a batch of messages (function.json <c>"cardinality": "many"</c>, issue 15 item 2): the rows of
/// every event in the batch are written together, grouped per partition into transactions of up to 99 rows.
/// <para>
/// What the host can settle decides the failure handling. A custom handler answers one HTTP response per
/// invocation; the Service Bus extension then completes every message of the batch on success and abandons
/// every one on failure (Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.ServiceBus,
/// <c>ServiceBusListener.TriggerAndCompleteMessagesInternal</c>; settling single messages needs
/// <c>ServiceBusMessageActions</c>, which only in-process and gRPC workers get). So:
/// </para>
/// <list type="bullet">
/// <item>A message that can never succeed — not a pipeline event, or an event whose rows cannot be built (pure
/// code, no I/O, so it fails the same way every time) — is settled with the batch, and a
/// <c>message.rejected</c> audit row (ids, size, reason; never the body) plus a warning log line and the
/// <c>pipeline.consumer.failures</c> metric (<c>error.type = rejected</c>) say so. Failing the invocation
/// instead would abandon the good messages with it, ten times over, and then dead-letter them all.</item>
/// <item>Anything failing in the write (storage down, throttled, timed out) is transient and the same for the
/// whole batch: the invocation fails, the host abandons the batch and redelivers it. Rows an earlier
/// delivery already wrote are found by key and skipped, so the retry stores nothing twice.</item>
/// </list>
/// </summary>
internal static class WriteAuditFunction
{
    public static FunctionRegistration Create() =>
        new(AuditFunctions.WriteAudit, InvokeAsync) { ReceivesBatches = true, Subscription = TopicSubscriptions.Audit };

    private static async Task<InvocationResult> InvokeAsync(JsonElement payload, IServiceProvider services, CancellationToken cancellationToken)
    {
        const string name = AuditFunctions.WriteAudit;
        if (ReceivedMessage.TryParseBatch(payload) is not { Count: > 0 } messages)
        {
            return InvocationResult.Failure($"{name}: the invocation carries no message.");
        }

        var handler = services.GetRequiredService<WriteAuditHandler>();
        var logger = services.GetRequiredService<ILogger<WriteAuditHandler>>();
        var timeProvider = services.GetRequiredService<TimeProvider>();
        var rows = new List<AuditEntry>();
        var audited = new List<(PipelineEvent Event, int Rows, Activity? Span)>();
        var rejected = 0;
        var outer = Activity.Current;
        try
        {
            foreach (var message in messages)
            {
                var pipelineEvent = EventSerializer.TryDeserialize(message.Body);
                if (pipelineEvent is null)
                {
                    rows.Add(Reject(message, RejectionTally.UnknownTenant, "not-a-pipeline-event"));
                    continue;
                }

                // Each event's rows are built under its own consumer span, so they carry the webhook's trace id.
                var span = ConsumerSpan.Start(name, message.ApplicationProperties, pipelineEvent);
                try
                {
                    var eventRows = handler.RowsFor(pipelineEvent);
                    rows.AddRange(eventRows);
                    audited.Add((pipelineEvent, eventRows.Count, span));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    ConsumerSpan.Fail(span, e.GetType().Name);
                    span?.Dispose();
                    rows.Add(Reject(message, pipelineEvent.Tenant, e.GetType().Name));
                }
                finally
                {
                    Activity.Current = outer;
                }
            }

            await handler.WriteAsync(rows, cancellationToken);
        }
        catch (Exception e)
        {
            // Transient (storage): the whole batch is redelivered; what was written is skipped next time.
            audited.ForEach(a => ConsumerSpan.Fail(a.Span, e.GetType().Name));
            PipelineMetrics.ConsumerFailed(name, e.GetType().Name);
            throw;
        }
        finally
        {
            audited.ForEach(a => a.Span?.Dispose());
            Activity.Current = outer;
        }

        var now = timeProvider.GetUtcNow();
        foreach (var (pipelineEvent, count, _) in audited)
        {
            PipelineMetrics.EventProcessed(name, pipelineEvent.Vendor, pipelineEvent.Tenant, now - pipelineEvent.ReceivedAt);
            Log.AuditWritten(logger, pipelineEvent.EventId, count, EventAudit.SubjectsOf(pipelineEvent) is [var first, ..] ? first : null);
        }

        Log.AuditBatchWritten(logger, name, messages.Count, rows.Count, rejected);
        return InvocationResult.Success(
            $"{name}: {messages.Count} message(s), {audited.Count} event(s) audited ({string.Join(", ", audited.Select(a => a.Event.EventId))}), {rejected} rejected.");

        AuditEntry Reject(ReceivedMessage message, string tenant, string reason)
        {
            rejected++;
            var row = WriteAuditHandler.Rejection(tenant, name, message.MessageId, message.EnqueuedTimeUtc ?? timeProvider.GetUtcNow(), message.Body, reason);
            Log.MessageRejected(logger, name, row.ResourceId!, tenant, reason);
            PipelineMetrics.ConsumerFailed(name, "rejected");
            return row;
        }
    }
}
