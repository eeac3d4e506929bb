using Azure;
using Azure.Data.Tables;
using Pipeline.Core.Audit;

namespace Pipeline.Azure.Audit;

/// <summary>
/// Writes audit rows to the <c>AuditLog</c> table. Every part of the pipeline writes its rows through
/// this one writer. A row whose key already exists is the same row delivered again: that is success.
/// </summary>
public sealed class AuditTableWriter(TableServiceClient tableService)
{
    /// <summary>The table name.</summary>
    public const string TableName = "AuditLog";

    private const string DetailPrefix = "Detail_";

    private readonly TableClient _table = tableService.GetTableClient(TableName);
    private Task? _created;

    /// <summary>Adds the row unless it is already there.</summary>
    public async Task WriteAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        await EnsureTableAsync(cancellationToken);
        try
        {
            await _table.AddEntityAsync(ToEntity(entry), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already written by an earlier delivery of the same event.
        }
    }

    /// <summary>The table row for an entry.</summary>
    public static TableEntity ToEntity(AuditEntry entry)
    {
        var entity = new TableEntity(entry.PartitionKey, entry.RowKey)
        {
            ["Tenant"] = entry.Tenant,
            ["OccurredAt"] = entry.Timestamp,
            ["Action"] = entry.Action,
            ["Outcome"] = entry.Outcome,
            ["Actor"] = entry.Actor,
            ["ResourceType"] = entry.ResourceType,
            ["ResourceId"] = entry.ResourceId,
            ["EventId"] = entry.EventId,
            ["Subject"] = entry.Subject,
        };
        foreach (var (name, value) in entry.Details)
        {
            entity[DetailPrefix + name] = value;
        }

        return entity;
    }

    /// <summary>The entry a table row holds (the inverse of <see cref="ToEntity"/>).</summary>
    public static AuditEntry FromEntity(TableEntity entity) => new(
        entity.GetString("Tenant") ?? "",
        entity.GetDateTimeOffset("OccurredAt") ?? default,
        entity.GetString("Action") ?? "",
        entity.GetString("Outcome") ?? "",
        entity.GetString("Actor") ?? "",
        entity.GetString("ResourceType") ?? "",
        entity.GetString("ResourceId"),
        entity.GetString("EventId"),
        entity.GetString("Subject"),
        entity.Where(p => p.Key.StartsWith(DetailPrefix, StringComparison.Ordinal) && p.Value is string)
            .ToDictionary(p => p.Key[DetailPrefix.Length..], p => (string)p.Value, StringComparer.Ordinal));

    private Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        // Created once per process; a failed attempt is forgotten so the next write tries again.
        var created = _created ??= _table.CreateIfNotExistsAsync(cancellationToken);
        if (created.IsFaulted || created.IsCanceled)
        {
            _created = null;
        }

        return created;
    }
}
