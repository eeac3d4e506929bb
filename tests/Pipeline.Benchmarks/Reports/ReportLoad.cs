using System.Diagnostics;
using System.Globalization;
using Azure.Data.Tables;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Reports;
using Pipeline.Azure.Keys;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Reports;
using Pipeline.Host.Configuration;
using Pipeline.Host.Local;

namespace Pipeline.Benchmarks.Reports;

/// <summary>
/// The compliance report load command (issue 14): seed one tenant's chained audit rows over a number of days on a
/// fresh Azurite through the real writer, then time gathering (read + verify + fold) and rendering, and print a table.
/// <c>dotnet run -c Release --project tests/Pipeline.Benchmarks -- report [rows] [days]</c> (default 100,000 over 30).
/// Exits 1 when the chain does not verify or the rows counted differ from the rows written.
/// </summary>
internal static class ReportLoad
{
    private const string Tenant = "report-load";
    private static readonly DateOnly FirstDay = new(2026, 11, 1);
    private static readonly string[] Types = ["course.completed", "user.created", "transcript.completed", "certification.status_changed"];

    public static async Task<int> RunAsync(string[] args)
    {
        var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        var folder = Directory.CreateTempSubdirectory("pipeline-report-load-").FullName;
        var azurite = await AzuriteProcess.StartAsync(
            new AzuriteSettings(RepositoryRoot.Find(), folder, AzuriteProcess.FreePort(), AzuriteProcess.FreePort(), AzuriteProcess.FreePort()));
        try
        {
            var tables = new TableServiceClient(azurite.ConnectionString);
            var pseudonymKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            var chainKey = AuditChain.DeriveKey(pseudonymKey);
            var seed = Stopwatch.StartNew();
            await SeedAsync(new AuditTableWriter(tables, chainKey), rows, days);
            seed.Stop();

            var options = new PipelineOptions { Tenants = { [Tenant] = new TenantOptions() } };
            var builder = new ComplianceReportBuilder(new AuditChainVerifier(tables, chainKey), new TranscriptKeyWrapping(tables), null, options, new Pipeline.Core.Webhooks.WebhookOptions(), new Pipeline.Azure.Retention.RetentionOptions(), TimeProvider.System);
            var period = new ReportPeriod(FirstDay, FirstDay.AddDays(days - 1));
            var gather = Stopwatch.StartNew();
            var report = await builder.BuildAsync(Tenant, period, "benchmark");
            gather.Stop();
            var render = Stopwatch.StartNew();
            var html = ComplianceReportHtml.Render(report);
            render.Stop();

            var verified = report.Chain.Sum(d => d.Rows);
            var total = gather.Elapsed + render.Elapsed;
            Console.WriteLine("| audit rows | days | seed s | gather (read + verify + fold) s | render ms | total s | rows/s | HTML KiB | chain |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {verified:N0} | {days} | {seed.Elapsed.TotalSeconds:F0} | {gather.Elapsed.TotalSeconds:F1} | {render.Elapsed.TotalMilliseconds:F0} | {total.TotalSeconds:F1} | {verified / total.TotalSeconds:N0} | {html.Length / 1024:N0} | {(report.ChainIntact ? "intact" : "BROKEN")} |"));
            if (!report.ChainIntact || verified != rows)
            {
                Console.Error.WriteLine($"expected {rows} verified rows and an intact chain, got {verified} and {(report.ChainIntact ? "intact" : "a break")}");
                return 1;
            }

            return 0;
        }
        finally
        {
            await azurite.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Writes the rows day by day through the chained writer, several days at once (each day has its own chain head).</summary>
    private static async Task SeedAsync(AuditTableWriter writer, int rows, int days)
    {
        var perDay = (rows + days - 1) / days;
        await Parallel.ForEachAsync(Enumerable.Range(0, days), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (day, cancellationToken) =>
        {
            var start = new DateTimeOffset(FirstDay.AddDays(day).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var count = Math.Min(perDay, rows - day * perDay);
            foreach (var chunk in Enumerable.Range(0, Math.Max(0, count)).Select(i => Row(start.AddSeconds(i * 0.8), day * perDay + i)).Chunk(99))
            {
                await writer.WriteBatchAsync(chunk, cancellationToken);
            }
        });
    }

    /// <summary>A mix like a busy tenant's day: mostly accepted events, some rejection tallies, transcript rows and reads.</summary>
    private static AuditEntry Row(DateTimeOffset at, int i) => (i % 20) switch
    {
        0 => new AuditEntry(Tenant, at, "webhook.rejected", "failure", "vendor:mindtickle", "webhook", $"bad-signature:mindtickle:{i}", null, null,
            new Dictionary<string, string> { ["reason"] = i % 40 == 0 ? "bad-signature" : "stale-timestamp", ["vendor"] = "mindtickle", ["count"] = "3" }),
        1 => new AuditEntry(Tenant, at, AuditActions.TranscriptStored, "success", "system", "transcript", $"tr-{i}", $"evt-{i}", null, new Dictionary<string, string> { ["participants"] = "4" }),
        2 => new AuditEntry(Tenant, at, AuditActions.TranscriptRead, "success", $"oid-reader-{i % 7}", "transcript", $"tr-{i - 1}", $"req-{i}", null, new Dictionary<string, string>()),
        _ => new AuditEntry(Tenant, at, AuditActions.EventAccepted, "success", "vendor:mindtickle", "event", $"evt-{i}", $"evt-{i}", $"psn_{i % 500:x16}",
            new Dictionary<string, string> { ["vendor"] = i % 3 == 0 ? "twinmind" : "mindtickle", ["eventType"] = Types[i % Types.Length], ["payload"] = "{\"data\":{\"course_id\":\"onboarding-101\"}}" }),
    };
}
