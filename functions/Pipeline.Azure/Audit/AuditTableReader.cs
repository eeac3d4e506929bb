using Azure;
using Azure.Data.Tables;
using Pipeline.Core.Audit;

namespace Pipeline.Azure.Audit;

/// <summary>
/// Reads a tenant's audit rows for a time range, one page at a time. The filter names only that
/// tenant's day partitions, so no query can reach another tenant's rows, whatever token it carries.
/// </summary>
public sealed class AuditTableReader(TableServiceClient tableService)
{
    private readonly TableClient _table = tableService.GetTableClient(AuditTableWriter.TableName);

    /// <summary>One page of rows, oldest first, and the token for the next page (null at the end).</summary>
    public async Task<AuditPage> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey ge {AuditEntry.PartitionFor(query.Tenant, query.From)} and PartitionKey le {AuditEntry.PartitionFor(query.Tenant, query.To)} and RowKey ge {AuditEntry.RowKeyPrefix(query.From)} and RowKey lt {AuditEntry.RowKeyPrefix(query.To)}");
        if (query.Action is { } action)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Action eq {action}");
        }

        if (query.SubjectPseudonym is { } subject)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Subject eq {subject}");
        }

        try
        {
            await foreach (var page in _table.QueryAsync<TableEntity>(filter, query.Limit, cancellationToken: cancellationToken).AsPages(query.ContinuationToken, query.Limit))
            {
                return new AuditPage(page.Values.Select(AuditTableWriter.FromEntity).ToList(), page.ContinuationToken);
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No audit table yet: no rows.
        }

        return new AuditPage([], null);
    }
}

/// <summary>A query over one tenant's audit rows; <see cref="To"/> is exclusive.</summary>
public sealed record AuditQuery(string Tenant, DateTimeOffset From, DateTimeOffset To, string? Action, string? SubjectPseudonym, int Limit, string? ContinuationToken);

/// <summary>A page of audit rows.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, string? ContinuationToken);
