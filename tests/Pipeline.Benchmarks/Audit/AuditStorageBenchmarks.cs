using Azure.Data.Tables;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Audit;

/// <summary>
/// Issue 5 item 7 against a real Azurite (in memory, started here): audit rows written one at a time
/// vs in entity-group transactions (target ≥ 5×), and reading a one-day range of 10,000 rows.
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class AuditStorageBenchmarks
{
    private static readonly DateTimeOffset Day = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private AzuriteProcess _azurite = null!;
    private TableServiceClient _tables = null!;
    private AuditTableWriter _writer = null!;
    private string _queryTenant = null!;
    private int _run;

    [Params(200)]
    public int Rows { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _azurite = await AzuriteProcess.StartAsync(new AzuriteSettings(RepositoryRoot.Find(), null, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()));
        _tables = new TableServiceClient(_azurite.ConnectionString);
        _writer = new AuditTableWriter(_tables, AuditChain.DeriveKey("benchmark-pseudonym-key-of-32-characters-at-least"));
        _queryTenant = "query-bench";
        await _writer.WriteBatchAsync(Entries(_queryTenant, 10_000));
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _azurite.DisposeAsync();

    private static List<AuditEntry> Entries(string tenant, int count) => Enumerable.Range(0, count).Select(i => new AuditEntry(
        tenant, Day.AddSeconds(i * 86_400.0 / count), AuditActions.EventAccepted, "success", "vendor:mindtickle", "event", $"evt_{i:D8}", $"evt_{i:D8}", null,
        new Dictionary<string, string>(StringComparer.Ordinal) { ["vendor"] = "mindtickle", ["eventType"] = "course.completed", ["payload"] = """{"data":{"email":"psn_00000000000000000000000000000000","score":"[redacted]"}}""" }))
        .ToList();

    [Benchmark(Baseline = true)]
    public async Task WriteOneAtATime()
    {
        foreach (var entry in Entries($"single-{Interlocked.Increment(ref _run)}", Rows))
        {
            await _writer.WriteAsync(entry);
        }
    }

    [Benchmark]
    public Task WriteBatched() => _writer.WriteBatchAsync(Entries($"batched-{Interlocked.Increment(ref _run)}", Rows));

    [Benchmark]
    public async Task<int> QueryOneDayOf10000Rows()
    {
        var reader = new AuditTableReader(_tables);
        var rows = 0;
        string? continuation = null;
        do
        {
            var page = await reader.QueryAsync(new AuditQuery(_queryTenant, Day, Day.AddDays(1), null, null, 1000, continuation));
            rows += page.Items.Count;
            continuation = page.ContinuationToken;
        }
        while (continuation is not null);

        return rows != 10_000 ? throw new InvalidOperationException($"Read {rows} rows, not 10000.") : rows;
    }

    [Benchmark]
    public async Task<int> QueryFirstPageOf100()
    {
        var page = await new AuditTableReader(_tables).QueryAsync(new AuditQuery(_queryTenant, Day, Day.AddDays(1), null, null, 100, null));
        return page.Items.Count;
    }
}
