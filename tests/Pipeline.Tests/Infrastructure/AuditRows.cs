using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;

namespace Pipeline.Tests.Infrastructure;

internal static class AuditRows
{
    /// <summary>Every audit row of a tenant (all its day partitions); empty when the table does not exist yet.</summary>
    public static async Task<List<TableEntity>> ForTenantAsync(AzuriteFixture azurite, string tenant)
    {
        var table = azurite.TableService.GetTableClient(AuditTableWriter.TableName);
        var rows = new List<TableEntity>();
        try
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey ge {tenant + "_"} and PartitionKey lt {tenant + "_~"}");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: TestContext.Current.CancellationToken))
            {
                // The chain's head row is bookkeeping, not an audit row.
                if (row.RowKey != AuditChain.HeadRowKey)
                {
                    rows.Add(row);
                }
            }
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // No audit table yet.
        }

        return rows;
    }
}
