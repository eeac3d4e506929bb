using System.Diagnostics;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Host.Configuration;
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
/// <c>audit-concurrency processes [processes] [rows] [writers per process,...] [rows per call]</c> runs the writers in
/// separate processes instead (default 4 processes, 2,000 rows, 1,16 writers each, 1 row per call), one Azurite, the
/// same partition: each process has its own writer and commit queue, so the processes race on the chain head's ETag
/// as separate function instances do. With rows per call above 1 each call is one <c>WriteBatchAsync</c>, as a
/// WriteAudit batch invocation makes it.
/// </summary>
internal static class AuditConcurrencyLoad
{
    private static readonly DateTimeOffset Day = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["processes", .. var processArgs])
        {
            return await RunProcessesAsync(processArgs);
        }

        if (args is ["child", var connectionString, var pseudonymKey, var childTenant, var first, var count, var childWriters, var perCall, var startAt])
        {
            return await RunChildAsync(connectionString, pseudonymKey, childTenant, int.Parse(first, CultureInfo.InvariantCulture),
                int.Parse(count, CultureInfo.InvariantCulture), int.Parse(childWriters, CultureInfo.InvariantCulture), int.Parse(perCall, CultureInfo.InvariantCulture),
                DateTimeOffset.Parse(startAt, CultureInfo.InvariantCulture));
        }

        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
        var seeded = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var writerCounts = args.Length > 2 ? args[2].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() : [1, 4, 16, 64];
        return await WithAzuriteAsync(async connectionString =>
        {
            var failed = false;
            var tables = new TableServiceClient(connectionString);
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

            return failed;
        });
    }

    /// <summary>Runs <paramref name="runAsync"/> against a fresh on-disk Azurite; exit code 1 when it reports a failure.</summary>
    private static async Task<int> WithAzuriteAsync(Func<string, Task<bool>> runAsync)
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-audit-concurrency-").FullName;
        var azurite = await AzuriteProcess.StartAsync(
            new AzuriteSettings(RepositoryRoot.Find(), folder, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()));
        try
        {
            return await runAsync(azurite.ConnectionString) ? 1 : 0;
        }
        finally
        {
            await azurite.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Run(double RowsPerSecond, long Conflicts, int Failures, bool Verified, long RowsVerified);

    private static async Task<int> RunProcessesAsync(string[] args)
    {
        var processes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4;
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2_000;
        var writerCounts = args.Length > 2 ? args[2].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() : [1, 16];
        var perCall = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
        return await WithAzuriteAsync(async connectionString =>
        {
            var failed = false;
            var tables = new TableServiceClient(connectionString);
            var pseudonymKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            var chainKey = AuditChain.DeriveKey(pseudonymKey);
            await tables.GetTableClient(AuditTableWriter.TableName).CreateIfNotExistsAsync();
            Console.WriteLine("| processes | writers per process | writers in all | rows per call | chained rows/s | × single writer | conflicts retried (412/409 on the head) | failures | chain verified |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            var single = await RunChainedAsync(tables, chainKey, "single", rows, 1);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| 1 | 1 | 1 | 1 | {single.RowsPerSecond:N0} | 1.00 | {single.Conflicts:N0} | {single.Failures:N0} | {(single.Verified ? "yes" : "NO")} ({single.RowsVerified:N0} rows) |"));
            foreach (var writers in writerCounts)
            {
                var tenant = $"processes-{processes}-{writers}-{perCall}";
                var run = await RunInProcessesAsync(connectionString, pseudonymKey, tenant, rows, processes, writers, perCall);
                var (verified, chainBreak) = await new AuditChainVerifier(tables, chainKey).VerifyPartitionAsync(AuditEntry.PartitionFor(tenant, Day));
                var intact = chainBreak is null && verified == rows - run.Failures;
                failed |= run.Failures > 0 || !intact;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {processes} | {writers} | {processes * writers} | {perCall} | {run.RowsPerSecond:N0} | {run.RowsPerSecond / single.RowsPerSecond:F2} | {run.Conflicts:N0} | {run.Failures:N0} | {(intact ? "yes" : "NO")} ({verified:N0} rows) |"));
            }

            return failed;
        });
    }

    /// <summary>
    /// Starts the child processes, each told to begin at the same moment (after they have all started up), and
    /// times from that moment to the last one's end; each child reports its conflicts and failures.
    /// </summary>
    private static async Task<Run> RunInProcessesAsync(string connectionString, string pseudonymKey, string tenant, int rows, int processes, int writers, int perCall)
    {
        var startAt = DateTimeOffset.UtcNow.AddSeconds(5 + processes);
        var share = rows / processes;
        var children = Enumerable.Range(0, processes).Select(p =>
        {
            var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
            {
                info.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
            }

            foreach (var argument in new[] { "audit-concurrency", "child", connectionString, pseudonymKey, tenant,
                (p * share).ToString(CultureInfo.InvariantCulture), (p == processes - 1 ? rows - p * share : share).ToString(CultureInfo.InvariantCulture),
                writers.ToString(CultureInfo.InvariantCulture), perCall.ToString(CultureInfo.InvariantCulture), startAt.ToString("O") })
            {
                info.ArgumentList.Add(argument);
            }

            return Process.Start(info)!;
        }).ToList();
        var reports = await Task.WhenAll(children.Select(async child =>
        {
            var output = await child.StandardOutput.ReadToEndAsync();
            await child.WaitForExitAsync();
            child.Dispose();
            return output.Trim().Split(' ');
        }));
        var end = reports.Max(r => DateTimeOffset.Parse(r[2], CultureInfo.InvariantCulture));
        return new Run(rows / (end - startAt).TotalSeconds, reports.Sum(r => long.Parse(r[0], CultureInfo.InvariantCulture)), reports.Sum(r => int.Parse(r[1], CultureInfo.InvariantCulture)), false, 0);
    }

    // One process of a multi-process run: waits for the common start, writes its share, prints "conflicts failures end".
    private static async Task<int> RunChildAsync(string connectionString, string pseudonymKey, string tenant, int first, int count, int writers, int perCall, DateTimeOffset startAt)
    {
        var writer = new AuditTableWriter(new TableServiceClient(connectionString), AuditChain.DeriveKey(pseudonymKey));
        var failures = 0;
        if (startAt > DateTimeOffset.UtcNow)
        {
            await Task.Delay(startAt - DateTimeOffset.UtcNow);
        }

        await RunWritersAsync((count + perCall - 1) / perCall, writers, async call =>
        {
            try
            {
                await writer.WriteBatchAsync([.. Enumerable.Range(call * perCall, Math.Min(perCall, count - call * perCall)).Select(i => Entry(tenant, first + i))]);
            }
            catch (Exception e) when (e is RequestFailedException or TableTransactionFailedException)
            {
                Interlocked.Increment(ref failures);
            }
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{writer.ConflictsRetried} {failures} {DateTimeOffset.UtcNow:O}"));
        return 0;
    }

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
