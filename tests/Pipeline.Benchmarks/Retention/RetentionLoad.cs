using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Retention;
using Pipeline.Core.Audit;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Retention;

/// <summary>
/// The retention load command (issue 6): purge a fixed number of expired audit rows with different
/// numbers of unexpired rows beside them, on a fresh Azurite, and print a table of rows/s and times.
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- retention [expired] [kept,kept,...]</c>
/// </summary>
internal static class RetentionLoad
{
    private static readonly DateTimeOffset AsOf = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var expired = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50_000;
        var keptCounts = args.Length > 1 ? args[1].Split(',').Select(k => int.Parse(k, CultureInfo.InvariantCulture)).ToArray() : [50_000, 150_000, 400_000];
        Console.WriteLine($"| expired rows | unexpired rows beside them | seed s | purge s | rows deleted | rows/s |");
        Console.WriteLine($"|---:|---:|---:|---:|---:|---:|");
        foreach (var kept in keptCounts)
        {
            // A fresh Azurite per scenario, so the table holds exactly this scenario's rows.
            var folder = Directory.CreateTempSubdirectory("pipeline-retention-load-").FullName;
            var azurite = await AzuriteProcess.StartAsync(
                new AzuriteSettings(RepositoryRoot.Find(), folder, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()));
            var tables = new TableServiceClient(azurite.ConnectionString);
            await tables.GetTableClient(AuditTableWriter.TableName).CreateIfNotExistsAsync();
            const string Tenant = "load";
            var seed = Stopwatch.StartNew();
            await SeedAsync(tables, Tenant, expired, AsOf.AddDays(-400), days: 30);
            await SeedAsync(tables, Tenant, kept, AsOf.AddDays(-300), days: 200);
            seed.Stop();

            var purge = Stopwatch.StartNew();
            var result = await new AuditRetentionPurger(tables).PurgeAsync(Tenant, AsOf.AddDays(-365));
            purge.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {expired:N0} | {kept:N0} | {seed.Elapsed.TotalSeconds:F0} | {purge.Elapsed.TotalSeconds:F1} | {result.Rows:N0} | {result.Rows / purge.Elapsed.TotalSeconds:N0} |"));
            await azurite.DisposeAsync();
            Directory.Delete(folder, recursive: true);
            if (result.Rows != expired)
            {
                Console.Error.WriteLine($"expected {expired} rows deleted, got {result.Rows}");
                return 1;
            }
        }

        return 0;
    }

    /// <summary>Writes <paramref name="rows"/> audit-shaped rows spread over <paramref name="days"/> day partitions, 100 per transaction, 8 at a time.</summary>
    private static async Task SeedAsync(TableServiceClient tables, string tenant, int rows, DateTimeOffset from, int days)
    {
        var table = tables.GetTableClient(AuditTableWriter.TableName);
        var perDay = (rows + days - 1) / days;
        var batches = Enumerable.Range(0, rows)
            .Select(i => from.AddDays(i / perDay).AddSeconds(i % perDay))
            .Select((at, i) => new TableEntity(AuditEntry.PartitionFor(tenant, at), $"{AuditEntry.RowKeyPrefix(at)}_r{i}_event.accepted")
            {
                ["Tenant"] = tenant,
                ["Action"] = AuditActions.EventAccepted,
                ["OccurredAt"] = at,
            })
            .GroupBy(e => e.PartitionKey)
            .SelectMany(day => day.Chunk(100))
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, cancellationToken) =>
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken));
    }
}
