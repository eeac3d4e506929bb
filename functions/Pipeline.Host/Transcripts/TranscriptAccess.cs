using Pipeline.Azure.Audit;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Transcripts;
using Pipeline.Host.Logging;

namespace Pipeline.Host.Transcripts;

/// <summary>
/// Reading and deleting a transcript on someone's behalf, audited whatever the outcome (SPEC §3.3): the
/// API (actor = the caller's <c>oid</c>) and the CLI (actor = the operator) go through here. Audit rows and
/// log lines name ids, outcomes and failure kinds only, never text.
/// </summary>
public sealed class TranscriptAccess(
    TranscriptReader reader, TranscriptTableStore store, AuditTableWriter audit, PipelineOptions options, AuditOptions auditOptions, TimeProvider timeProvider, ILogger<TranscriptAccess> logger)
{
    /// <summary>Reads (and audits reading) a transcript; <paramref name="transcriptId"/> is a valid id (<see cref="TranscriptIds"/>).</summary>
    public async Task<TranscriptReadResult> ReadAsync(string tenant, string transcriptId, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(TranscriptIds.IsValid(transcriptId), true, nameof(transcriptId));
        var read = await reader.ReadAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false);
        var details = new Dictionary<string, string>(StringComparer.Ordinal);
        if (read.Record is { } record)
        {
            details["transcriptEventId"] = record.EventId;
        }

        var outcome = AuditOutcome.Success;
        if (!read.Found)
        {
            outcome = AuditOutcome.NotFound;
        }
        else if (!read.Succeeded)
        {
            outcome = AuditOutcome.Failure;
            details["failure"] = read.Opened?.Failure.ToString() ?? "Unknown";
            Log.TranscriptUnreadable(logger, tenant, read.Record!.EventId, details["failure"]);
        }

        await AuditAsync(tenant, transcriptId, AuditActions.TranscriptRead, outcome, actor, details, cancellationToken).ConfigureAwait(false);
        return read;
    }

    /// <summary>Crypto-shreds the transcript under an erasure hold (a late replay is not stored again); false when there was none.</summary>
    public async Task<bool> DeleteAsync(string tenant, string transcriptId, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(TranscriptIds.IsValid(transcriptId), true, nameof(transcriptId));
        var deleted = await store.EraseAsync(tenant, transcriptId, options, auditOptions, timeProvider.GetUtcNow(), "transcript-deleted", cancellationToken).ConfigureAwait(false);
        await AuditAsync(tenant, transcriptId, AuditActions.TranscriptDeleted, deleted ? AuditOutcome.Success : AuditOutcome.NotFound, actor, new Dictionary<string, string>(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>
    /// Audits a call refused because its transcript id is not one (<see cref="TranscriptIds"/>): the row
    /// names no resource, since the route value may be anything, a person's name included.
    /// </summary>
    public Task RefuseInvalidIdAsync(string tenant, string action, string actor, CancellationToken cancellationToken = default) =>
        audit.WriteAsync(
            AuditEntry.ByCaller(actor, tenant, timeProvider.GetUtcNow(), action, AuditOutcome.InvalidId, new AuditResource("transcript", null), eventId: Guid.NewGuid().ToString("N")),
            cancellationToken);

    /// <summary>
    /// One row per call: the row's event id is a fresh request id, since the row key is built from it and a
    /// vendor's transcript id may hold characters a row key may not.
    /// </summary>
    private Task AuditAsync(string tenant, string transcriptId, string action, AuditOutcome outcome, string actor, Dictionary<string, string> details, CancellationToken cancellationToken) =>
        audit.WriteAsync(
            AuditEntry.ByCaller(actor, tenant, timeProvider.GetUtcNow(), action, outcome, new AuditResource("transcript", transcriptId), eventId: Guid.NewGuid().ToString("N"), details: details),
            cancellationToken);
}
