using System.Globalization;
using System.Text.Json;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Core.Configuration;

namespace Pipeline.Azure.Subjects;

/// <summary>What an export wrote: transcripts opened, transcripts found but unreadable, audit rows.</summary>
public sealed record SubjectExportSummary(int Transcripts, int Unreadable, int AuditRows);

/// <summary>What an erasure removed: transcripts crypto-shredded, subject-index rows and dead letters (poison messages) removed.</summary>
public sealed record SubjectErasureSummary(int TranscriptsErased, int IndexRowsRemoved, int DeadLettersRemoved = 0);

/// <summary>
/// GDPR export (Art. 15/20) and erasure (Art. 17) for one subject of one tenant — the one implementation the
/// API and the CLI share. The subject is the vendor's identifier (email or user id); it is pseudonymised with
/// the configured key before any lookup and never written anywhere: documents and audit rows carry only the
/// pseudonym. Transcripts are found through the subject index; audit rows by their <c>Subject</c> pseudonym
/// within the tenant's audit retention window (older rows are purged by then), one page at a time.
/// </summary>
public sealed class SubjectRecords(
    TranscriptTableStore store,
    TranscriptReader reader,
    AuditTableReader auditReader,
    AuditTableWriter auditWriter,
    PipelineOptions options,
    AuditOptions audit,
    TimeProvider timeProvider,
    DeadLetterOperations? deadLetters = null)
{
    private const int AuditPageSize = 1000;
    private const int MaxErasurePasses = 3;

    /// <summary>The pseudonym of a subject id; a value already in pseudonym form is kept.</summary>
    public string PseudonymOf(string subjectId) =>
        Pseudonyms.Normalize(audit.RequirePseudonymKey(), subjectId);

    /// <summary>
    /// Writes everything held about the subject as one JSON document to <paramref name="destination"/>,
    /// flushing after each transcript and each page of audit rows, so no more than one transcript is held in
    /// memory. The export is audited (by pseudonym, with counts) when it ends, also when it failed part way.
    /// </summary>
    public async Task<SubjectExportSummary> ExportAsync(string tenant, string subjectId, string actor, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var pseudonym = PseudonymOf(subjectId);
        var now = timeProvider.GetUtcNow();
        int transcripts = 0, unreadable = 0, auditRows = 0;
        var outcome = AuditOutcome.Failure;
        try
        {
            await using var json = new Utf8JsonWriter(destination);
            json.WriteStartObject();
            json.WriteString("tenant", tenant);
            json.WriteString("subject", pseudonym);
            json.WriteString("exportedAt", now);
            json.WriteStartArray("transcripts");
            foreach (var transcriptId in await store.Subjects.FindAsync(tenant, pseudonym, cancellationToken).ConfigureAwait(false))
            {
                var read = await reader.ReadAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false);
                if (!read.Found)
                {
                    // An index row left behind by an interrupted delete or an expired transcript: nothing held.
                    continue;
                }

                json.WriteStartObject();
                json.WriteString("transcriptId", read.Record!.TranscriptId);
                json.WriteString("eventId", read.Record.EventId);
                json.WriteString("storedAt", read.Record.StoredAt);
                json.WriteString("expiresAt", read.Record.ExpiresAt);
                if (read.Succeeded)
                {
                    json.WriteString("text", read.Opened!.Plaintext);
                    transcripts++;
                }
                else
                {
                    json.WriteString("unreadable", read.Opened?.Failure.ToString());
                    unreadable++;
                }

                json.WriteEndObject();
                await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            json.WriteEndArray();
            json.WriteStartArray("audit");
            var (from, to) = AuditWindow(tenant, now);
            string? continuation = null;
            do
            {
                var page = await auditReader.QueryAsync(new AuditQuery(tenant, from, to, null, pseudonym, AuditPageSize, continuation), cancellationToken).ConfigureAwait(false);
                foreach (var entry in page.Items)
                {
                    // Through an element: serialising into the writer would flush it synchronously into the response.
                    JsonSerializer.SerializeToElement(AuditItem.From(entry), AuditItem.JsonOptions).WriteTo(json);
                    auditRows++;
                }

                await json.FlushAsync(cancellationToken).ConfigureAwait(false);
                continuation = page.ContinuationToken;
            }
            while (continuation is not null);

            json.WriteEndArray();
            json.WriteEndObject();
            await json.FlushAsync(cancellationToken).ConfigureAwait(false);
            outcome = AuditOutcome.Success;
        }
        finally
        {
            // Audited even when the caller went away part way: some of the document may have left.
            await auditWriter.WriteAsync(
                Audit(tenant, now, AuditActions.SubjectExported, outcome, actor, pseudonym, new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["transcripts"] = Count(transcripts),
                    ["unreadable"] = Count(unreadable),
                    ["auditRows"] = Count(auditRows),
                }),
                CancellationToken.None).ConfigureAwait(false);
        }

        return new SubjectExportSummary(transcripts, unreadable, auditRows);
    }

    /// <summary>
    /// Crypto-shreds every transcript the subject took part in (the whole transcript: it is held for all its
    /// participants alike) and removes the subject's index rows, then audits the erasure by pseudonym with
    /// counts. Idempotent: erasing again finds nothing and records zero counts.
    /// </summary>
    public async Task<SubjectErasureSummary> EraseAsync(string tenant, string subjectId, string actor, CancellationToken cancellationToken = default)
    {
        var pseudonym = PseudonymOf(subjectId);
        var erased = 0;
        var indexed = new HashSet<string>(StringComparer.Ordinal);

        // A second pass catches a transcript stored while the first ran; the passes are bounded, and a
        // transcript arriving later still is indexed and erased by the next request.
        for (var pass = 0; pass < MaxErasurePasses; pass++)
        {
            var found = (await store.Subjects.FindAsync(tenant, pseudonym, cancellationToken).ConfigureAwait(false)).Where(indexed.Add).ToList();
            if (found.Count == 0)
            {
                break;
            }

            foreach (var transcriptId in found)
            {
                if (await store.EraseAsync(tenant, transcriptId, options, audit, timeProvider.GetUtcNow(), "subject-erased", cancellationToken).ConfigureAwait(false))
                {
                    erased++;
                }

                // DeleteAsync removes the transcript's index rows when it finds the transcript; this one also
                // goes when the transcript had already gone (an interrupted delete, the purge).
                await store.Subjects.RemoveAsync(tenant, pseudonym, transcriptId, cancellationToken).ConfigureAwait(false);
            }
        }

        var removed = indexed.Count;
        var deadLettersRemoved = await EraseDeadLettersAsync(tenant, pseudonym, actor, cancellationToken).ConfigureAwait(false);
        await auditWriter.WriteAsync(
            Audit(tenant, timeProvider.GetUtcNow(), AuditActions.SubjectErased, AuditOutcome.Success, actor, pseudonym, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["transcriptsErased"] = Count(erased),
                ["indexRowsRemoved"] = Count(removed),
                ["deadLettersRemoved"] = Count(deadLettersRemoved),
            }),
            cancellationToken).ConfigureAwait(false);
        return new SubjectErasureSummary(erased, removed, deadLettersRemoved);
    }

    /// <summary>
    /// Dead letters hold the event as published, personal data included, so an erasure removes every one of
    /// the tenant's that names the subject (the whole message, for all the people it names, as with a
    /// transcript). Audited as a purge by the same actor, with ids and the cause.
    /// </summary>
    private async Task<int> EraseDeadLettersAsync(string tenant, string pseudonym, string actor, CancellationToken cancellationToken)
    {
        if (deadLetters is null)
        {
            return 0;
        }

        var key = audit.RequirePseudonymKey();
        var held = await deadLetters.FindAsync(
            null,
            d => string.Equals(d.Tenant, tenant, StringComparison.OrdinalIgnoreCase)
                && d.Event is { } pipelineEvent
                && EventAudit.SubjectsOf(pipelineEvent).Any(subject => Pseudonyms.Of(key, subject) == pseudonym),
            cancellationToken).ConfigureAwait(false);
        if (held.Count == 0)
        {
            return 0;
        }

        var run = await deadLetters.PurgeAsync(held, cancellationToken: cancellationToken).ConfigureAwait(false);
        await deadLetters.AuditAsync(run, actor, AuditActions.SubjectErased, CancellationToken.None).ConfigureAwait(false);
        return run.Done;
    }

    /// <summary>The tenant's audit retention window up to a day past now (rows carry event times, which may run ahead).</summary>
    private (DateTimeOffset From, DateTimeOffset To) AuditWindow(string tenant, DateTimeOffset now)
    {
        var days = options.Tenants.TryGetValue(tenant, out var configured) ? configured.Privacy.AuditRetentionDays : new PrivacyOptions().AuditRetentionDays;
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        return (today.AddDays(-days), today.AddDays(2));
    }

    private static AuditEntry Audit(string tenant, DateTimeOffset now, string action, AuditOutcome outcome, string actor, string pseudonym, Dictionary<string, string> details) =>
        AuditEntry.ByCaller(actor, tenant, now, action, outcome, new AuditResource("subject", $"{action}-{Guid.NewGuid():N}"), subject: pseudonym, details: details);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
