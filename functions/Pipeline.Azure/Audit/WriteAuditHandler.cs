using Pipeline.Core.Audit;
using Pipeline.Core.Events;

namespace Pipeline.Azure.Audit;

/// <summary>The WriteAudit function: one audit row per event on the <c>audit</c> subscription.</summary>
public sealed class WriteAuditHandler(AuditTableWriter writer)
{
    /// <summary>Records that the event was accepted; idempotent for a redelivered event.</summary>
    public Task HandleAsync(PipelineEvent pipelineEvent, CancellationToken cancellationToken = default) =>
        writer.WriteAsync(AuditActions.ForAcceptedEvent(pipelineEvent), cancellationToken);
}
