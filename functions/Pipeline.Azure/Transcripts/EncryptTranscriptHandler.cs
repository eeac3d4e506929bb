using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Privacy;
using Pipeline.Core.Transcripts;

namespace Pipeline.Azure.Transcripts;

/// <summary>How the EncryptTranscript function handled an event.</summary>
public enum TranscriptHandlingOutcome
{
    /// <summary>Encrypted and stored now.</summary>
    Stored,

    /// <summary>Already stored by an earlier delivery.</summary>
    Duplicate,

    /// <summary>Not stored: the tenant's policy is StoreTranscripts = false, or RequireConsent and the event records none.</summary>
    Skipped,

    /// <summary>Not stored and never will be: too large, malformed, or the tenant is gone.</summary>
    Rejected,

    /// <summary>Not stored: the transcript was deleted or its subject erased, and the erasure hold stands.</summary>
    Held,

    /// <summary>Not stored: another event already stored a transcript under this id.</summary>
    Conflict,
}

/// <summary>The outcome and a reason fit for logs and audit (ids and counts only).</summary>
public sealed record TranscriptHandling(TranscriptHandlingOutcome Outcome, string Reason);

/// <summary>
/// EncryptTranscript: a TwinMind <c>transcript.completed</c> event becomes an envelope-encrypted
/// transcript in Table Storage, with its participants in the subject index as pseudonyms only. Every
/// outcome is audited, and every outcome except an infrastructure failure (which throws, so the message
/// is retried) completes the message: retrying a transcript that can never be stored would only
/// dead-letter it with its plaintext still in it.
/// </summary>
public sealed class EncryptTranscriptHandler(
    TranscriptProtector protector,
    TranscriptTableStore store,
    AuditTableWriter audit,
    PipelineOptions options,
    AuditOptions auditOptions,
    TimeProvider? timeProvider = null)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>The reason of a transcript not stored because its event records no consent (Privacy:RequireConsent).</summary>
    public const string NoConsent = "no-consent";

    // Validated at start-up: at least 32 characters in every mode.
    private string PseudonymKey => auditOptions.RequirePseudonymKey();

    public async Task<TranscriptHandling> HandleAsync(PipelineEvent pipelineEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipelineEvent);
        var transcript = TwinMindTranscript.TryParse(pipelineEvent.Payload);
        var handling = await StoreAsync(pipelineEvent, transcript, cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(AuditFor(pipelineEvent, transcript, handling), cancellationToken).ConfigureAwait(false);
        return handling;
    }

    private async Task<TranscriptHandling> StoreAsync(PipelineEvent pipelineEvent, TwinMindTranscript? transcript, CancellationToken cancellationToken)
    {
        if (transcript is null)
        {
            return new(TranscriptHandlingOutcome.Rejected, "malformed: no transcript id or text");
        }

        if (!options.Tenants.TryGetValue(pipelineEvent.Tenant, out var tenant))
        {
            return new(TranscriptHandlingOutcome.Rejected, "tenant not configured");
        }

        if (!tenant.Privacy.StoreTranscripts)
        {
            return new(TranscriptHandlingOutcome.Skipped, "tenant policy: StoreTranscripts = false");
        }

        if (tenant.Privacy.RequireConsent && !transcript.Consent)
        {
            return new(TranscriptHandlingOutcome.Skipped, NoConsent);
        }

        if (await store.Holds.IsHeldAsync(pipelineEvent.Tenant, ErasureHolds.TranscriptKey(PseudonymKey, pipelineEvent.Tenant, transcript.TranscriptId), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return new(TranscriptHandlingOutcome.Held, "erasure-hold: the transcript was deleted or its subject erased");
        }

        var context = new TranscriptContext(pipelineEvent.Tenant, transcript.TranscriptId);
        var sealedTranscript = await protector.ProtectAsync(context, transcript.Text, cancellationToken).ConfigureAwait(false);
        var record = new TranscriptRecord(
            pipelineEvent.Tenant,
            transcript.TranscriptId,
            pipelineEvent.EventId,
            pipelineEvent.ReceivedAt,
            pipelineEvent.ReceivedAt.AddDays(tenant.Privacy.TranscriptRetentionDays),
            [.. transcript.ParticipantEmails.Select(email => Pseudonyms.Of(PseudonymKey, email))]);

        return await store.WriteAsync(record, sealedTranscript, cancellationToken).ConfigureAwait(false) switch
        {
            TranscriptWriteOutcome.Stored => new(TranscriptHandlingOutcome.Stored, $"stored in {sealedTranscript.Sealed.Chunks.Count} chunks"),
            TranscriptWriteOutcome.AlreadyStored => new(TranscriptHandlingOutcome.Duplicate, "already stored"),
            TranscriptWriteOutcome.Conflict => new(TranscriptHandlingOutcome.Conflict, "conflict: another event already stored a transcript under this id"),
            _ => new(TranscriptHandlingOutcome.Rejected, $"too large: {sealedTranscript.Sealed.CiphertextLength} bytes sealed exceed one entity-group transaction"),
        };
    }

    private static AuditEntry AuditFor(PipelineEvent pipelineEvent, TwinMindTranscript? transcript, TranscriptHandling handling)
    {
        var (action, outcome) = handling.Outcome switch
        {
            TranscriptHandlingOutcome.Stored or TranscriptHandlingOutcome.Duplicate => (AuditActions.TranscriptStored, AuditOutcome.Success),
            TranscriptHandlingOutcome.Skipped => (AuditActions.TranscriptSkipped, AuditOutcome.Success),
            TranscriptHandlingOutcome.Held => (AuditActions.TranscriptRejected, AuditOutcome.Refused),
            TranscriptHandlingOutcome.Conflict => (AuditActions.TranscriptRejected, AuditOutcome.Conflict),
            _ => (AuditActions.TranscriptRejected, AuditOutcome.Failure),
        };

        // Same key for every delivery of the event, so a redelivery does not add a second row.
        return AuditEntry.BySystem(
            pipelineEvent.Tenant,
            pipelineEvent.ReceivedAt,
            action,
            outcome,
            new AuditResource("transcript", transcript?.TranscriptId),
            eventId: pipelineEvent.EventId,
            details: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["reason"] = handling.Reason,
                ["participants"] = (transcript?.ParticipantEmails.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
    }
}
