using System.Globalization;
using System.Security.Cryptography;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Privacy;

namespace Pipeline.Azure.Audit;

/// <summary>The WriteAudit function: the audit rows of each event on the <c>audit</c> subscription.</summary>
public sealed class WriteAuditHandler(AuditTableWriter writer, TenantRedaction redaction)
{
    /// <summary>
    /// Records that the event was accepted, with a redacted summary of its payload and its subjects'
    /// pseudonyms, in one transaction; idempotent for a redelivered event. Returns the rows.
    /// </summary>
    public async Task<IReadOnlyList<AuditEntry>> HandleAsync(PipelineEvent pipelineEvent, CancellationToken cancellationToken = default)
    {
        var rows = RowsFor(pipelineEvent);
        await writer.WriteBatchAsync(rows, cancellationToken);
        return rows;
    }

    /// <summary>
    /// The rows of one event, built without any I/O: a failure here is the event's own and repeats on every
    /// delivery, so a batch rejects that message (<see cref="Rejection"/>) instead of failing the rest.
    /// </summary>
    public IReadOnlyList<AuditEntry> RowsFor(PipelineEvent pipelineEvent) =>
        EventAudit.For(pipelineEvent, redaction.For(pipelineEvent.Tenant));

    /// <summary>
    /// Writes the rows of a whole batch: grouped per partition, up to 99 rows per transaction, rows already
    /// there (an earlier delivery of the batch) skipped. Storage failing throws, and the host redelivers the batch.
    /// </summary>
    public Task WriteAsync(IReadOnlyList<AuditEntry> rows, CancellationToken cancellationToken = default) =>
        writer.WriteBatchAsync(rows, cancellationToken);

    /// <summary>
    /// The row that stands for a message that can never be audited (not a pipeline event, or its rows cannot
    /// be built): ids, size and reason only, never a byte of the body. Keyed by the enqueue time and message id,
    /// which Service Bus keeps on every delivery, so a redelivered batch finds it already written.
    /// </summary>
    /// <param name="tenant">The event's tenant when it decoded; otherwise <see cref="Pipeline.Core.Webhooks.RejectionTally.UnknownTenant"/>.</param>
    /// <param name="function">The consuming function.</param>
    /// <param name="messageId">The broker's message id (null: a digest of the body stands in).</param>
    /// <param name="enqueuedAt">When the broker enqueued the message.</param>
    /// <param name="body">The message body: only its length and digest are kept.</param>
    /// <param name="reason">Why: a short code or an exception type name, never a message text.</param>
    public static AuditEntry Rejection(string tenant, string function, string? messageId, DateTimeOffset enqueuedAt, ReadOnlySpan<byte> body, string reason)
    {
        var id = messageId ?? "body-" + Convert.ToHexStringLower(SHA256.HashData(body))[..32];
        return AuditEntry.BySystem(
            tenant, enqueuedAt, AuditActions.MessageRejected, AuditOutcome.Failure, new AuditResource("message", id),
            details: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["function"] = function,
                ["reason"] = reason,
                ["bytes"] = body.Length.ToString(CultureInfo.InvariantCulture),
            });
    }
}
