using Azure;
using Azure.Data.Tables;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Transcripts;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Transcripts;

/// <summary>
/// Sealed transcripts in Table Storage. One partition per transcript (<c>{tenant}_{hash of id}</c>) holds
/// data rows <c>data-0000</c>… (up to 11 chunks of ≤ 64 KiB each, so an entity stays under 1 MiB) and the
/// <see cref="TranscriptHeader"/> row. All of them go in ONE entity-group transaction with the header
/// inserted (not upserted): the transcript appears whole or not at all, and a redelivered message finds
/// the header and changes nothing — no orphan rows can exist. Hence the size limit: what one transaction
/// (≤ 4 MiB, ≤ 100 entities) carries, about 3 MB of ciphertext after compression. The two indexes
/// (<see cref="Subjects"/> for erasure by subject, <see cref="Expiry"/> for purge by expiry) are written
/// after the transcript and repeated on redelivery.
/// </summary>
public sealed class TranscriptTableStore(TableServiceClient tableService)
{
    public const string TableName = "Transcripts";
    public const string HeaderRowKey = TranscriptHeader.RowKeyValue;

    /// <summary>
    /// Chunk properties per data row: 11 × 64 KiB keeps an entity under 1 MiB even as JSON with base64
    /// values (about 960 KB), which is how Azurite measures it; stored, it is about 720 KB.
    /// </summary>
    internal const int ChunksPerRow = 11;

    private const string ChunkCountProperty = "Count";

    private readonly TableClient _transcripts = tableService.GetTableClient(TableName);
    private readonly TableCreation _tables = new(tableService.GetTableClient(TableName));

    /// <summary>The erasure holds an erasure places and the transcript consumer checks.</summary>
    public ErasureHoldStore Holds { get; } = new(tableService);

    /// <summary>Which transcripts name a subject.</summary>
    public TranscriptSubjectIndex Subjects { get; } = new(tableService);

    /// <summary>Transcripts by expiry day.</summary>
    public TranscriptExpiryIndex Expiry { get; } = new(tableService);

    /// <summary>The partition of one transcript: the tenant, then a hash, since vendor ids may hold any character.</summary>
    public static string PartitionFor(string tenant, string transcriptId) => TranscriptKeys.TenantPartition(tenant, TranscriptKeys.IdKey(transcriptId));

    /// <summary>Writes the transcript unless it is already there.</summary>
    public async Task<TranscriptWriteOutcome> WriteAsync(TranscriptRecord record, ProtectedTranscript sealedTranscript, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(sealedTranscript);
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);

        var partition = PartitionFor(record.Tenant, record.TranscriptId);
        var actions = DataRows(partition, sealedTranscript.Sealed)
            .Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row))
            .Append(new TableTransactionAction(TableTransactionActionType.Add, Header(partition, record, sealedTranscript)))
            .ToList();
        if (actions.Count > EntityGroupTransaction.MaxActions
            || EntityGroupTransaction.RequestBytes(actions.Select(action => action.Entity)) > EntityGroupTransaction.MaxRequestBytes)
        {
            return TranscriptWriteOutcome.TooLarge;
        }

        EntityGroupTransaction.EnsureValid(actions);
        var outcome = TranscriptWriteOutcome.Stored;
        try
        {
            await _transcripts.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException e) when (e.Status == 409 && actions[e.FailedTransactionActionIndex ?? 0].ActionType == TableTransactionActionType.Add)
        {
            // The header exists and the failed transaction wrote nothing: an earlier delivery of this event
            // stored it, or another event with the same transcript id did (which is no success of this one).
            var existing = await _transcripts.GetEntityIfExistsAsync<TranscriptHeader>(partition, HeaderRowKey, [nameof(TranscriptHeader.EventId)], cancellationToken).ConfigureAwait(false);
            if (existing.HasValue && existing.Value!.EventId is { } storedBy && !string.Equals(storedBy, record.EventId, StringComparison.Ordinal))
            {
                return TranscriptWriteOutcome.Conflict;
            }

            outcome = TranscriptWriteOutcome.AlreadyStored;
        }

        await Subjects.AddAsync(record, cancellationToken).ConfigureAwait(false);
        await Expiry.AddAsync(record, partition, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>Reads a transcript back, still sealed; null when there is none.</summary>
    public async Task<StoredTranscript?> ReadAsync(string tenant, string transcriptId, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var partition = PartitionFor(tenant, transcriptId);

        // Header first: the write puts header and chunks in one transaction, so a header read means every
        // chunk is there. A delete running meanwhile removes the header first, then the chunks: when fewer
        // chunks come back than the header counts and the header is gone by now, the transcript was deleted.
        var found = await _transcripts.GetEntityIfExistsAsync<TranscriptHeader>(partition, HeaderRowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!found.HasValue)
        {
            return null;
        }

        var header = found.Value!;
        var chunks = new List<ReadOnlyMemory<byte>>();
        var dataRows = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ne {HeaderRowKey}");
        var rows = new List<TableEntity>();
        await foreach (var entity in _transcripts.QueryAsync<TableEntity>(dataRows, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(entity);
        }

        // Rows come back in RowKey order; chunks in property order within a row.
        foreach (var row in rows.OrderBy(row => row.RowKey, StringComparer.Ordinal))
        {
            var count = row.GetInt32(ChunkCountProperty) ?? 0;
            for (var i = 0; i < count; i++)
            {
                if (row.GetBinary(ChunkProperty(i)) is { } chunk)
                {
                    chunks.Add(chunk);
                }
            }
        }

        if (chunks.Count != header.ChunkCount && !await ExistsAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var sealedTranscript = new SealedTranscript(
            (byte)(header.FormatVersion ?? 0),
            (TranscriptCompression)(header.Compression ?? -1),
            header.PlaintextLength ?? -1,
            header.KeyCheck ?? [],
            chunks);
        var record = new TranscriptRecord(
            tenant,
            header.TranscriptId ?? transcriptId,
            header.EventId ?? "",
            header.StoredAt ?? default,
            header.ExpiresAt ?? default,
            []);
        var stored = new ProtectedTranscript(header.KeyId ?? "", header.WrapAlgorithm ?? "", header.WrappedKey ?? [], sealedTranscript);
        return new StoredTranscript(record, stored, header.ChunkCount ?? -1);
    }

    /// <summary>True when the transcript's header is there (its data key, so it can still be opened).</summary>
    public async Task<bool> ExistsAsync(string tenant, string transcriptId, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var header = await _transcripts.GetEntityIfExistsAsync<TranscriptHeader>(PartitionFor(tenant, transcriptId), HeaderRowKey, [nameof(TranscriptHeader.RowKey)], cancellationToken).ConfigureAwait(false);
        return header.HasValue;
    }

    /// <summary>
    /// Crypto-shreds a transcript: the header with the wrapped data key goes first, which alone makes the
    /// chunks unrecoverable, then the chunks and the index rows. False when there was nothing to delete.
    /// </summary>
    public async Task<bool> DeleteAsync(string tenant, string transcriptId, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var partition = PartitionFor(tenant, transcriptId);
        var rows = new List<TranscriptHeader>();
        string[] columns = [nameof(TranscriptHeader.RowKey), nameof(TranscriptHeader.ExpiresAt), nameof(TranscriptHeader.Subjects)];
        await foreach (var entity in _transcripts.QueryAsync<TranscriptHeader>(e => e.PartitionKey == partition, select: columns, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.Add(entity);
        }

        if (rows.Count == 0)
        {
            return false;
        }

        var header = rows.Find(row => row.RowKey == HeaderRowKey);
        if (header is not null)
        {
            await _transcripts.DeleteEntityAsync(partition, HeaderRowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }

        var deletes = rows.Where(row => row.RowKey != HeaderRowKey)
            .Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, row.RowKey), ETag.All))
            .ToList();
        foreach (var batch in deletes.Chunk(EntityGroupTransaction.MaxActions))
        {
            EntityGroupTransaction.EnsureValid(batch);
            await _transcripts.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        await Subjects.RemoveTranscriptAsync(tenant, transcriptId, header?.SubjectList(), cancellationToken).ConfigureAwait(false);
        if (header?.ExpiresAt is { } expiresAt)
        {
            await Expiry.RemoveAsync(expiresAt, partition, cancellationToken).ConfigureAwait(false);
        }

        return header is not null;
    }

    /// <summary>
    /// Deletes a transcript for good (an API delete, a subject erasure): an erasure hold goes first, for
    /// the tenant's audit retention period, so a replay arriving while or after the delete runs is refused
    /// (<see cref="ErasureHoldStore.IsHeldAsync"/>); then the crypto-shred of <see cref="DeleteAsync"/>. False when there
    /// was nothing to delete (the hold stands all the same: this id is not to be stored).
    /// </summary>
    public async Task<bool> EraseAsync(string tenant, string transcriptId, PipelineOptions options, AuditOptions audit, DateTimeOffset now, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(audit);
        var days = options.Tenants.TryGetValue(tenant, out var configured) ? configured.Privacy.AuditRetentionDays : new PrivacyOptions().AuditRetentionDays;
        var key = audit.RequirePseudonymKey();
        await Holds.HoldAsync(tenant, Core.Privacy.ErasureHolds.TranscriptKey(key, tenant, transcriptId), now.AddDays(days), reason, cancellationToken).ConfigureAwait(false);
        return await DeleteAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The header rows of one tenant's transcripts, or of all.</summary>
    internal static string HeaderFilter(string? tenant)
    {
        var headers = TableClient.CreateQueryFilter($"RowKey eq {HeaderRowKey}");
        return tenant is null ? headers : $"{TranscriptKeys.TenantPartitionsFilter(tenant)} and {headers}";
    }

    private static IEnumerable<TableEntity> DataRows(string partition, SealedTranscript sealedTranscript)
    {
        for (int start = 0, row = 0; start < sealedTranscript.Chunks.Count; start += ChunksPerRow, row++)
        {
            var count = Math.Min(ChunksPerRow, sealedTranscript.Chunks.Count - start);
            var entity = new TableEntity(partition, $"data-{row:D4}") { [ChunkCountProperty] = count };
            for (var i = 0; i < count; i++)
            {
                entity[ChunkProperty(i)] = sealedTranscript.Chunks[start + i].ToArray();
            }

            yield return entity;
        }
    }

    private static TranscriptHeader Header(string partition, TranscriptRecord record, ProtectedTranscript sealedTranscript) => new()
    {
        PartitionKey = partition,
        RowKey = HeaderRowKey,
        Tenant = record.Tenant,
        TranscriptId = record.TranscriptId,
        EventId = record.EventId,
        StoredAt = record.StoredAt,
        ExpiresAt = record.ExpiresAt,
        FormatVersion = sealedTranscript.Sealed.FormatVersion,
        Algorithm = TranscriptEnvelope.Algorithm,
        Compression = (int)sealedTranscript.Sealed.Compression,
        PlaintextLength = sealedTranscript.Sealed.PlaintextLength,
        KeyCheck = sealedTranscript.Sealed.KeyCheck.ToArray(),
        ChunkCount = sealedTranscript.Sealed.Chunks.Count,
        KeyId = sealedTranscript.KeyId,
        WrapAlgorithm = sealedTranscript.WrapAlgorithm,
        WrappedKey = sealedTranscript.WrappedKey.ToArray(),
        SubjectCount = record.SubjectPseudonyms.Count,
        Subjects = string.Join(' ', record.SubjectPseudonyms.Distinct(StringComparer.Ordinal)),
    };

    private static string ChunkProperty(int index) => $"C{index:D2}";
}
