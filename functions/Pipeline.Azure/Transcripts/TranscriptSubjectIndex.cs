using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Transcripts;

/// <summary>A row of the subject index: one subject named in one transcript.</summary>
public sealed class SubjectIndexRow : ITableEntity
{
    /// <summary><c>{tenant}_{pseudonym}</c>.</summary>
    public string PartitionKey { get; set; } = "";

    /// <summary>The transcript's id key (a hash of its id).</summary>
    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string? TranscriptId { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>
/// Which transcripts name a subject, for erasure by subject: PartitionKey <c>{tenant}_{pseudonym}</c>,
/// RowKey the transcript's id key. Rows are upserts with deterministic keys, so a redelivery repeats them harmlessly.
/// </summary>
public sealed class TranscriptSubjectIndex(TableServiceClient tableService)
{
    public const string TableName = "TranscriptSubjects";

    private readonly TableClient _subjects = tableService.GetTableClient(TableName);
    private readonly TableCreation _tables = new(tableService.GetTableClient(TableName));

    /// <summary>The partition of one subject's rows.</summary>
    public static string PartitionFor(string tenant, string pseudonym) => TranscriptKeys.TenantPartition(tenant, pseudonym);

    /// <summary>Links each of the record's subjects to its transcript.</summary>
    public async Task AddAsync(TranscriptRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var idKey = TranscriptKeys.IdKey(record.TranscriptId);
        foreach (var pseudonym in record.SubjectPseudonyms.Distinct(StringComparer.Ordinal))
        {
            var row = new SubjectIndexRow { PartitionKey = PartitionFor(record.Tenant, pseudonym), RowKey = idKey, TranscriptId = record.TranscriptId, ExpiresAt = record.ExpiresAt };
            await _subjects.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The ids of a tenant's transcripts that name the subject with this pseudonym.</summary>
    public async Task<IReadOnlyList<string>> FindAsync(string tenant, string pseudonym, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var partition = PartitionFor(tenant, pseudonym);
        var ids = new List<string>();
        await foreach (var row in _subjects.QueryAsync<SubjectIndexRow>(e => e.PartitionKey == partition, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.TranscriptId is { } id)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    /// <summary>Removes the row linking this pseudonym to the transcript, if there is one.</summary>
    public async Task RemoveAsync(string tenant, string pseudonym, string transcriptId, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _subjects.DeleteEntityAsync(PartitionFor(tenant, pseudonym), TranscriptKeys.IdKey(transcriptId), ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops a transcript's rows. The header lists their pseudonyms, so each row is deleted by its exact
    /// key; without the list (a run cut off after the header went) the search is bounded to the tenant's
    /// index partitions, never the whole table.
    /// </summary>
    public async Task RemoveTranscriptAsync(string tenant, string transcriptId, IReadOnlyList<string>? pseudonyms, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var idKey = TranscriptKeys.IdKey(transcriptId);
        var partitions = pseudonyms?.Select(pseudonym => PartitionFor(tenant, pseudonym)).ToList();
        if (partitions is null)
        {
            partitions = [];
            var filter = $"{TranscriptKeys.TenantPartitionsFilter(tenant)} and {TableClient.CreateQueryFilter($"RowKey eq {idKey}")}";
            await foreach (var row in _subjects.QueryAsync<SubjectIndexRow>(filter, select: [nameof(SubjectIndexRow.PartitionKey)], cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                partitions.Add(row.PartitionKey);
            }
        }

        foreach (var partition in partitions)
        {
            // Azurite and Azure differ on deleting a missing row; either way it is gone.
            using var response = await _subjects.DeleteEntityAsync(partition, idKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
    }
}
