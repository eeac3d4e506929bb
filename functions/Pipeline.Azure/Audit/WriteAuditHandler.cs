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
        var rows = EventAudit.For(pipelineEvent, redaction.For(pipelineEvent.Tenant));
        await writer.WriteBatchAsync(rows, cancellationToken);
        return rows;
    }
}
