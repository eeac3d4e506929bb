using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Pipeline.Core.Configuration;
using Pipeline.Core.Transcripts;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Transcripts;

/// <summary>What is recorded about a stored transcript besides its envelope. No plaintext, name or email.</summary>
/// <param name="Tenant">The tenant.</param>
/// <param name="TranscriptId">The vendor's transcript id.</param>
/// <param name="EventId">The pipeline event that carried it.</param>
/// <param name="StoredAt">When it was accepted (the event's time, so a redelivery records the same).</param>
/// <param name="ExpiresAt">When retention deletes it.</param>
/// <param name="SubjectPseudonyms">Pseudonyms of the participants, for the erasure index.</param>
public sealed record TranscriptRecord(
    string Tenant,
    string TranscriptId,
    string EventId,
    DateTimeOffset StoredAt,
    DateTimeOffset ExpiresAt,
    IReadOnlyList<string> SubjectPseudonyms);

/// <summary>How a write ended.</summary>
public enum TranscriptWriteOutcome
{
    /// <summary>Written now.</summary>
    Stored,

    /// <summary>An earlier delivery already wrote it; nothing changed.</summary>
    AlreadyStored,

    /// <summary>Larger than one entity-group transaction carries; nothing written.</summary>
    TooLarge,

    /// <summary>Another event already stored a transcript under this id; nothing written, no index row added.</summary>
    Conflict,
}


/// <summary>A transcript read back from the table, still sealed.</summary>
/// <param name="Record">What was recorded about it (subjects are not read back).</param>
/// <param name="Protected">The wrapped key and envelope, with the chunks found.</param>
/// <param name="ChunkCount">How many chunks the header says were written.</param>
public sealed record StoredTranscript(TranscriptRecord Record, ProtectedTranscript Protected, int ChunkCount);

/// <summary>
/// Sealed transcripts in Table Storage. One partition per transcript (<c>{tenant}_{hash of id}</c>) holds
/// data rows <c>data-0000</c>… (up to 11 chunks of ≤ 64 KiB each, so an entity stays under 1 MiB) and the
/// <c>header</c> row (format, algorithm, versioned key id, wrapped data key, expiry, chunk count). All of
/// them go in ONE entity-group transaction with the header inserted (not upserted): the transcript appears
/// whole or not at all, and a redelivered message finds the header and changes nothing — no orphan rows
/// can exist. Hence the size limit: what one transaction (≤ 4 MiB, ≤ 100 entities) carries, about 3 MB of
/// ciphertext after compression. Two index tables serve erasure by subject and purge by expiry; their rows
/// are written after the transcript (upserts with deterministic keys, repeated on redelivery).
/// </summary>
public sealed class TranscriptTableStore(TableServiceClient tableService)
{
    public const string TableName = "Transcripts";
    public const string SubjectTableName = "TranscriptSubjects";
    public const string ExpiryTableName = "TranscriptExpiry";
    public const string HeaderRowKey = "header";

    /// <summary>Header property listing the subject pseudonyms, so a delete finds its index rows by key.</summary>
    private const string SubjectsProperty = "Subjects";

    /// <summary>
    /// Chunk properties per data row: 11 × 64 KiB keeps an entity under 1 MiB even as JSON with base64
    /// values (about 960 KB), which is how Azurite measures it; stored, it is about 720 KB.
    /// </summary>
    internal const int ChunksPerRow = 11;

    private readonly TableClient _transcripts = tableService.GetTableClient(TableName);
    private readonly TableClient _subjects = tableService.GetTableClient(SubjectTableName);
    private readonly TableClient _expiry = tableService.GetTableClient(ExpiryTableName);
    private readonly TableCreation _tables = new(
        tableService.GetTableClient(TableName), tableService.GetTableClient(SubjectTableName), tableService.GetTableClient(ExpiryTableName));

    /// <summary>The erasure holds an erasure places and the transcript consumer checks.</summary>
    public ErasureHoldStore Holds { get; } = new(tableService);

    /// <summary>The partition of one transcript: the tenant, then a hash, since vendor ids may hold any character.</summary>
    public static string PartitionFor(string tenant, string transcriptId) => $"{tenant}_{IdKey(transcriptId)}";

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
            var existing = await _transcripts.GetEntityIfExistsAsync<TableEntity>(partition, HeaderRowKey, ["EventId"], cancellationToken).ConfigureAwait(false);
            if (existing.HasValue && existing.Value!.GetString("EventId") is { } storedBy && !string.Equals(storedBy, record.EventId, StringComparison.Ordinal))
            {
                return TranscriptWriteOutcome.Conflict;
            }

            outcome = TranscriptWriteOutcome.AlreadyStored;
        }

        await WriteIndexesAsync(record, partition, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>Reads a transcript back, still sealed; null when there is none.</summary>
    public async Task<StoredTranscript?> ReadAsync(string tenant, string transcriptId, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var partition = PartitionFor(tenant, transcriptId);
        TableEntity? header = null;
        var rows = new List<TableEntity>();
        await foreach (var entity in _transcripts.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey == HeaderRowKey)
            {
                header = entity;
            }
            else
            {
                rows.Add(entity);
            }
        }

        if (header is null)
        {
            return null;
        }

        // Rows come back in RowKey order; chunks in property order within a row.
        var chunks = new List<ReadOnlyMemory<byte>>();
        foreach (var row in rows.OrderBy(row => row.RowKey, StringComparer.Ordinal))
        {
            var count = row.GetInt32("Count") ?? 0;
            for (var i = 0; i < count; i++)
            {
                if (row.GetBinary(ChunkProperty(i)) is { } chunk)
                {
                    chunks.Add(chunk);
                }
            }
        }

        var sealedTranscript = new SealedTranscript(
            (byte)(header.GetInt32("FormatVersion") ?? 0),
            (TranscriptCompression)(header.GetInt32("Compression") ?? -1),
            header.GetInt64("PlaintextLength") ?? -1,
            header.GetBinary("KeyCheck") ?? [],
            chunks);
        var record = new TranscriptRecord(
            tenant,
            header.GetString("TranscriptId") ?? transcriptId,
            header.GetString("EventId") ?? "",
            header.GetDateTimeOffset("StoredAt") ?? default,
            header.GetDateTimeOffset("ExpiresAt") ?? default,
            []);
        var stored = new ProtectedTranscript(
            header.GetString("KeyId") ?? "",
            header.GetString("WrapAlgorithm") ?? "",
            header.GetBinary("WrappedKey") ?? [],
            sealedTranscript);
        return new StoredTranscript(record, stored, header.GetInt32("ChunkCount") ?? -1);
    }

    /// <summary>
    /// Crypto-shreds a transcript: the header with the wrapped data key goes first, which alone makes the
    /// chunks unrecoverable, then the chunks and the index rows. False when there was nothing to delete.
    /// </summary>
    public async Task<bool> DeleteAsync(string tenant, string transcriptId, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var partition = PartitionFor(tenant, transcriptId);
        var rows = new List<TableEntity>();
        await foreach (var entity in _transcripts.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["RowKey", "ExpiresAt", SubjectsProperty], cancellationToken: cancellationToken).ConfigureAwait(false))
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

        await RemoveSubjectIndexRowsAsync(tenant, transcriptId, header?.GetString(SubjectsProperty), cancellationToken).ConfigureAwait(false);

        if (header?.GetDateTimeOffset("ExpiresAt") is { } expiresAt)
        {
            await _expiry.DeleteEntityAsync($"{expiresAt.UtcDateTime:yyyyMMdd}", partition, ETag.All, cancellationToken).ConfigureAwait(false);
        }

        return header is not null;
    }

    /// <summary>
    /// Deletes a transcript for good (an API delete, a subject erasure): an erasure hold goes first, for
    /// the tenant's audit retention period, so a replay arriving while or after the delete runs is refused
    /// (<see cref="ErasureHoldStore.IsHeldAsync"/>); then the crypto-shred of <see cref="DeleteAsync"/>. False when there
    /// was nothing to delete (the hold stands all the same: this id is not to be stored).
    /// </summary>
    public async Task<bool> EraseAsync(string tenant, string transcriptId, PipelineOptions options, DateTimeOffset now, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var days = options.Tenants.TryGetValue(tenant, out var configured) ? configured.Privacy.AuditRetentionDays : new PrivacyOptions().AuditRetentionDays;
        var key = options.Audit.PseudonymKey ?? throw new InvalidOperationException("Pipeline:Audit:PseudonymKey is not set.");
        await Holds.HoldAsync(tenant, Core.Privacy.ErasureHolds.TranscriptKey(key, tenant, transcriptId), now.AddDays(days), reason, cancellationToken).ConfigureAwait(false);
        return await DeleteAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops a transcript's subject index rows. The header lists their pseudonyms, so each row is
    /// deleted by its exact key; without the list (a run cut off after the header went) the search is
    /// bounded to the tenant's index partitions, never the whole table.
    /// </summary>
    private async Task RemoveSubjectIndexRowsAsync(string tenant, string transcriptId, string? subjects, CancellationToken cancellationToken)
    {
        var idKey = IdKey(transcriptId);
        IEnumerable<string> partitions = subjects?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(pseudonym => $"{tenant}_{pseudonym}").ToList() ?? [];
        if (subjects is null)
        {
            var found = new List<string>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey gt {tenant + "_"} and PartitionKey lt {tenant + "_~"} and RowKey eq {idKey}");
            await foreach (var row in _subjects.QueryAsync<TableEntity>(filter, select: ["PartitionKey"], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                found.Add(row.PartitionKey);
            }

            partitions = found;
        }

        foreach (var partition in partitions)
        {
            // Azurite and Azure differ on deleting a missing row; either way it is gone.
            using var response = await _subjects.DeleteEntityAsync(partition, idKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The ids of a tenant's transcripts that name the subject with this pseudonym.</summary>
    public async Task<IReadOnlyList<string>> FindBySubjectAsync(string tenant, string pseudonym, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var partition = $"{tenant}_{pseudonym}";
        var ids = new List<string>();
        await foreach (var row in _subjects.QueryAsync<TableEntity>(e => e.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.GetString("TranscriptId") is { } id)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>Removes the subject-index row linking this pseudonym to the transcript, if there is one.</summary>
    public async Task RemoveSubjectIndexRowAsync(string tenant, string pseudonym, string transcriptId, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _subjects.DeleteEntityAsync($"{tenant}_{pseudonym}", IdKey(transcriptId), ETag.All, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteIndexesAsync(TranscriptRecord record, string partition, CancellationToken cancellationToken)
    {
        var idKey = IdKey(record.TranscriptId);
        foreach (var pseudonym in record.SubjectPseudonyms.Distinct(StringComparer.Ordinal))
        {
            await _subjects.UpsertEntityAsync(
                new TableEntity($"{record.Tenant}_{pseudonym}", idKey)
                {
                    ["TranscriptId"] = record.TranscriptId,
                    ["ExpiresAt"] = record.ExpiresAt,
                },
                TableUpdateMode.Replace,
                cancellationToken).ConfigureAwait(false);
        }

        await _expiry.UpsertEntityAsync(
            new TableEntity($"{record.ExpiresAt.UtcDateTime:yyyyMMdd}", partition)
            {
                ["Tenant"] = record.Tenant,
                ["TranscriptId"] = record.TranscriptId,
                ["ExpiresAt"] = record.ExpiresAt,
            },
            TableUpdateMode.Replace,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The header rows of one tenant's transcripts, or of all.</summary>
    internal static string HeaderFilter(string? tenant) => tenant is null
        ? TableClient.CreateQueryFilter($"RowKey eq {HeaderRowKey}")
        : TableClient.CreateQueryFilter($"PartitionKey gt {tenant + "_"} and PartitionKey lt {tenant + "_~"} and RowKey eq {HeaderRowKey}");

    private static IEnumerable<TableEntity> DataRows(string partition, SealedTranscript sealedTranscript)
    {
        for (int start = 0, row = 0; start < sealedTranscript.Chunks.Count; start += ChunksPerRow, row++)
        {
            var count = Math.Min(ChunksPerRow, sealedTranscript.Chunks.Count - start);
            var entity = new TableEntity(partition, $"data-{row:D4}") { ["Count"] = count };
            for (var i = 0; i < count; i++)
            {
                entity[ChunkProperty(i)] = sealedTranscript.Chunks[start + i].ToArray();
            }

            yield return entity;
        }
    }

    private static TableEntity Header(string partition, TranscriptRecord record, ProtectedTranscript sealedTranscript) => new(partition, HeaderRowKey)
    {
        ["Tenant"] = record.Tenant,
        ["TranscriptId"] = record.TranscriptId,
        ["EventId"] = record.EventId,
        ["StoredAt"] = record.StoredAt,
        ["ExpiresAt"] = record.ExpiresAt,
        ["FormatVersion"] = (int)sealedTranscript.Sealed.FormatVersion,
        ["Algorithm"] = TranscriptEnvelope.Algorithm,
        ["Compression"] = (int)sealedTranscript.Sealed.Compression,
        ["PlaintextLength"] = sealedTranscript.Sealed.PlaintextLength,
        ["KeyCheck"] = sealedTranscript.Sealed.KeyCheck.ToArray(),
        ["ChunkCount"] = sealedTranscript.Sealed.Chunks.Count,
        ["KeyId"] = sealedTranscript.KeyId,
        ["WrapAlgorithm"] = sealedTranscript.WrapAlgorithm,
        ["WrappedKey"] = sealedTranscript.WrappedKey.ToArray(),
        ["SubjectCount"] = record.SubjectPseudonyms.Count,
        [SubjectsProperty] = string.Join(' ', record.SubjectPseudonyms.Distinct(StringComparer.Ordinal)),
    };

    private static string ChunkProperty(int index) => $"C{index:D2}";

    private static string IdKey(string transcriptId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(transcriptId)).AsSpan(0, 16));
}
