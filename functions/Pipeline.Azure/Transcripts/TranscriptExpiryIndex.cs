using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Storage;

namespace Pipeline.Azure.Transcripts;

/// <summary>A row of the expiry index: one transcript, filed under the day it expires.</summary>
public sealed class ExpiryIndexRow : ITableEntity
{
    /// <summary>The expiry day, <c>yyyyMMdd</c> (UTC).</summary>
    public string PartitionKey { get; set; } = "";

    /// <summary>The transcript's partition in the transcript table.</summary>
    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string? Tenant { get; set; }

    public string? TranscriptId { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>
/// Transcripts by expiry day, so retention's cost follows what expired, never the number of transcripts:
/// PartitionKey the UTC day (<c>yyyyMMdd</c>), RowKey the transcript's partition.
/// </summary>
public sealed class TranscriptExpiryIndex(TableServiceClient tableService)
{
    public const string TableName = "TranscriptExpiry";

    private readonly TableClient _expiry = tableService.GetTableClient(TableName);
    private readonly TableCreation _tables = new(tableService.GetTableClient(TableName));

    /// <summary>Files the record's transcript (stored in <paramref name="transcriptPartition"/>) under its expiry day.</summary>
    public async Task AddAsync(TranscriptRecord record, string transcriptPartition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var row = new ExpiryIndexRow
        {
            PartitionKey = Day(record.ExpiresAt),
            RowKey = transcriptPartition,
            Tenant = record.Tenant,
            TranscriptId = record.TranscriptId,
            ExpiresAt = record.ExpiresAt,
        };
        await _expiry.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The tenant's rows whose transcript expired by <paramref name="asOf"/> (<c>ExpiresAt &lt;= asOf</c>, as
    /// readers judge it); none when no transcript was ever stored.
    /// </summary>
    public async Task<IReadOnlyList<ExpiryIndexRow>> ExpiredAsync(string tenant, DateTimeOffset asOf, CancellationToken cancellationToken = default)
    {
        // The query filter formats DateTime arguments as datetime literals, so the day key is made a string first.
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Day(asOf)} and Tenant eq {tenant} and ExpiresAt le {asOf}");
        var expired = new List<ExpiryIndexRow>();
        try
        {
            string[] columns = [nameof(ExpiryIndexRow.PartitionKey), nameof(ExpiryIndexRow.RowKey), nameof(ExpiryIndexRow.TranscriptId)];
            await foreach (var row in _expiry.QueryAsync<ExpiryIndexRow>(filter, select: columns, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                expired.Add(row);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // The table does not exist: no transcript was ever stored.
        }

        return expired;
    }

    /// <summary>Removes the row of the transcript in <paramref name="transcriptPartition"/> that expires at <paramref name="expiresAt"/>.</summary>
    public async Task RemoveAsync(DateTimeOffset expiresAt, string transcriptPartition, CancellationToken cancellationToken = default)
    {
        await _tables.EnsureAsync(cancellationToken).ConfigureAwait(false);
        await _expiry.DeleteEntityAsync(Day(expiresAt), transcriptPartition, ETag.All, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes a row <see cref="ExpiredAsync"/> returned; a row already gone is no failure.</summary>
    public async Task RemoveAsync(ExpiryIndexRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        try
        {
            await _expiry.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already removed with the transcript.
        }
    }

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
