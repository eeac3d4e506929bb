using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Audit;

/// <summary>
/// The audit concurrency load command (issue 15 item 1): N concurrent writers in one process add rows to ONE
/// tenant-day partition through the real <see cref="AuditTableWriter"/> (one row per call, as one audited
/// event's row arrives), and the same rows as plain inserts without the chain as the baseline (Azurite's own
/// cost). Run on a fresh Azurite, first with an (almost) empty table, then after seeding other partitions of
/// the same table. Prints a markdown table; exits 1 when any chained write failed or a chain does not verify.
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- audit-concurrency [rows] [seeded] [writers,...]</c>
/// (default 2,000 rows per run, 100,000 seeded rows, 1,4,16,64 writers).
/// </summary>
internal static class AuditConcurrencyLoad
{
    private static readonly DateTimeOffset Day = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
        var seeded = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var writerCounts = args.Length > 2 ? args[2].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() : [1, 4, 16, 64];
        var folder = Directory.CreateTempSubdirectory("pipeline-audit-concurrency-").FullName;
        var azurite = await AzuriteProcess.StartAsync(
            new AzuriteSettings(RepositoryRoot.Find(), folder, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()));
        var failed = false;
        try
        {
            var tables = new TableServiceClient(azurite.ConnectionString);
            var chainKey = AuditChain.DeriveKey(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            await tables.GetTableClient(AuditTableWriter.TableName).CreateIfNotExistsAsync();
            Console.WriteLine("| rows in table before | writers | chained rows/s | × 1 writer | conflicts retried (412/409 on the head) | failures | chain verified | plain inserts rows/s |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---|---:|");
            foreach (var state in new[] { 0, seeded })
            {
                if (state > 0)
                {
                    var seed = Stopwatch.StartNew();
                    await SeedAsync(tables, state);
                    Console.Error.WriteLine($"seeded {state:N0} rows in {seed.Elapsed.TotalSeconds:F0} s");
                }

                double? single = null;
                foreach (var writers in writerCounts)
                {
                    var chained = await RunChainedAsync(tables, chainKey, $"chained-{state}-{writers}", rows, writers);
                    var plain = await RunPlainAsync(tables, $"plain-{state}-{writers}", rows, writers);
                    single ??= chained.RowsPerSecond;
                    failed |= chained.Failures > 0 || !chained.Verified;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {state:N0} | {writers} | {chained.RowsPerSecond:N0} | {chained.RowsPerSecond / single.Value:F2} | {chained.Conflicts:N0} | {chained.Failures:N0} | {(chained.Verified ? "yes" : "NO")} ({chained.RowsVerified:N0} rows) | {plain.RowsPerSecond:N0} |"));
                }
            }
        }
        finally
        {
            await azurite.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }

        return failed ? 1 : 0;
    }

    private sealed record Run(double RowsPerSecond, long Conflicts, int Failures, bool Verified, long RowsVerified);

    private static async Task<Run> RunChainedAsync(TableServiceClient tables, byte[] chainKey, string tenant, int rows, int writers)
    {
        var writer = new AuditTableWriter(tables, chainKey);
        var failures = 0;
        var elapsed = await RunWritersAsync(rows, writers, async i =>
        {
            try
            {
                await writer.WriteAsync(Entry(tenant, i));
            }
            catch (Exception e) when (e is RequestFailedException or TableTransactionFailedException)
            {
                Interlocked.Increment(ref failures);
            }
        });
        var (verified, chainBreak) = await new AuditChainVerifier(tables, chainKey).VerifyPartitionAsync(AuditEntry.PartitionFor(tenant, Day));
        return new Run(rows / elapsed.TotalSeconds, writer.ConflictsRetried, failures, chainBreak is null && verified == rows - failures, verified);
    }

    private static async Task<Run> RunPlainAsync(TableServiceClient tables, string tenant, int rows, int writers)
    {
        var table = tables.GetTableClient(AuditTableWriter.TableName);
        var elapsed = await RunWritersAsync(rows, writers, i => table.AddEntityAsync(AuditTableWriter.ToEntity(Entry(tenant, i))));
        return new Run(rows / elapsed.TotalSeconds, 0, 0, false, 0);
    }

    /// <summary><paramref name="writers"/> loops taking the next row number until <paramref name="rows"/> are written.</summary>
    private static async Task<TimeSpan> RunWritersAsync(int rows, int writers, Func<int, Task> write)
    {
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < rows; i = Interlocked.Increment(ref next))
            {
                await write(i);
            }
        })));
        return clock.Elapsed;
    }

    private static AuditEntry Entry(string tenant, int i) => new(
        tenant, Day.AddMilliseconds(i), AuditActions.EventAccepted, "success", "webhook:mindtickle", "event", null, $"evt-{i:D7}", null,
        new Dictionary<string, string>(StringComparer.Ordinal) { ["eventType"] = "user.created" });

    /// <summary>Unchained rows in 30 other tenants' partitions of the same table, 100 per transaction, 8 at a time: the cheapest way to grow the table.</summary>
    private static async Task SeedAsync(TableServiceClient tables, int rows)
    {
        var table = tables.GetTableClient(AuditTableWriter.TableName);
        var batches = Enumerable.Range(0, rows)
            .Select(i => AuditTableWriter.ToEntity(Entry($"seed-{i % 30}", i)))
            .GroupBy(e => e.PartitionKey)
            .SelectMany(partition => partition.Chunk(100))
            .ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (batch, cancellationToken) =>
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), cancellationToken));
    }
}
