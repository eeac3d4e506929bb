using System.Text.RegularExpressions;
using Pipeline.Core.Audit;
using Pipeline.Core.Reports;

namespace Pipeline.Tests.Reports;

/// <summary>The report's pure parts: the period, the folding of audit rows, the chart's axis and the HTML's encoding.</summary>
public sealed class ComplianceReportRenderingTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-11-01", "2026-11-01", 1)]
    [InlineData("2026-01-01", "2026-12-31", 365)]
    [InlineData("2024-01-01", "2024-12-31", 366)]
    public void Period_WholeDays_BothIncluded(string from, string to, int days)
    {
        var period = ReportPeriod.TryParse(from, to, out var error);

        Assert.Null(error);
        Assert.Equal(days, period!.DayCount);
        Assert.Equal(period.From.AddDays(days), period.To);
        Assert.Equal(days, period.Days.Count());
    }

    [Theory]
    [InlineData(null, "2026-11-01")]
    [InlineData("2026-11-01", "")]
    [InlineData("2026-11-02", "2026-11-01")]
    [InlineData("2026-11-01T00:00:00Z", "2026-11-02")]
    [InlineData("01/11/2026", "2026-11-02")]
    [InlineData("2026-02-30", "2026-03-01")]
    [InlineData("2024-01-01", "2025-01-01")]
    public void Period_MalformedReversedOrTooLong_IsRefusedWithAReason(string? from, string? to)
    {
        Assert.Null(ReportPeriod.TryParse(from, to, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void TickStep_ForAnyTallestBar_IsTheSmallestRoundStepWhoseFourStepsReachIt()
    {
        var round = Enumerable.Range(0, 12).SelectMany(n => new long[] { 1, 2, 5 }.Select(s => s * (long)Math.Pow(10, n))).Order().ToList();
        var random = new Random(14);
        foreach (var max in Enumerable.Range(1, 200).Select(i => (long)i).Concat(Enumerable.Range(0, 2000).Select(_ => random.NextInt64(1, 10_000_000_000))))
        {
            var step = SvgBarChart.TickStep(max);
            Assert.Contains(step, round);
            Assert.True(4 * step >= max, $"{max}: 4 × {step} does not reach it");
            Assert.True(round.IndexOf(step) == 0 || 4 * round[round.IndexOf(step) - 1] < max, $"{max}: a smaller step than {step} would do");
        }

        Assert.Equal(0, SvgBarChart.TickStep(0));
    }

    [Fact]
    public void Activity_FoldsOnlyTheAuditVocabulary()
    {
        var builder = new ReportActivityBuilder();
        AuditEntry Row(string action, string outcome, string actor, string resourceType, DateTimeOffset at, params (string Key, string Value)[] details) =>
            new("t", at, action, outcome, actor, resourceType, "r", "e", "psn_1", details.ToDictionary(d => d.Key, d => d.Value));

        builder.Add(Row(AuditActions.EventAccepted, "success", "vendor:mindtickle", "event", Noon, ("vendor", "mindtickle"), ("eventType", "course.completed")));
        builder.Add(Row(AuditActions.EventAccepted, "success", "vendor:mindtickle", "event", Noon.AddDays(1), ("vendor", "mindtickle"), ("eventType", "course.completed")));
        builder.Add(Row("webhook.rejected", "failure", "vendor:twinmind", "webhook", Noon, ("reason", "bad-signature"), ("count", "41")));
        builder.Add(Row("webhook.rejected", "failure", "vendor:twinmind", "webhook", Noon, ("reason", "bad-signature"), ("count", "1")));
        builder.Add(Row(Core.Webhooks.RejectionTally.DuplicateAction, "success", "vendor:twinmind", "webhook", Noon, ("count", "7")));
        builder.Add(Row(AuditActions.TranscriptRead, "success", "oid-a", "transcript", Noon));
        builder.Add(Row(AuditActions.TranscriptRead, "success", "oid-a", "transcript", Noon.AddHours(1)));
        builder.Add(Row(AuditActions.TranscriptRead, "not-found", "oid-b", "transcript", Noon));
        builder.Add(Row(AuditActions.SubjectErased, "success", "oid-dpo", "subject", Noon));
        builder.Add(Row(AuditActions.SubjectErased, "success", "oid-dpo", "deadletter", Noon)); // the dead letters an erasure removed: not a second request
        builder.Add(Row(AuditActions.RetentionPurged, "success", "system", "retention", Noon, ("auditRowsDeleted", "12"), ("finished", "false")));
        builder.Add(Row(AuditActions.RetentionPurged, "success", "system", "deadletter", Noon, ("count", "3")));
        builder.Add(Row("something.new", "success", "oid-c", "thing", Noon, ("secret", "never shown")));

        var activity = builder.Build();

        Assert.Equal([1L, 1L], activity.Accepted.Select(d => d.Counts["mindtickle · course.completed"]));
        Assert.Equal(42, activity.Rejected.Single().Counts["bad-signature"]);
        Assert.Equal(7, activity.Duplicates);
        Assert.Equal(("oid-a", 2L, Noon.AddHours(1)), activity.Transcripts.Readers.Select(r => (r.Actor, r.Uses, r.LastUse)).Single());
        Assert.Equal(1, activity.Transcripts.ReadsRefused);
        Assert.Equal(("erasure", "psn_1"), activity.SubjectRequests.Select(s => (s.Kind, s.Pseudonym!)).Single());
        var run = Assert.Single(activity.RetentionRuns);
        Assert.Equal((12L, false), (run.Purged["auditRows"], run.Finished));
        Assert.Equal(["oid-a", "oid-dpo", "oid-b", "oid-c"], activity.Callers.Select(c => c.Actor));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("\"><img src=x onerror=alert(1)>")]
    [InlineData("</title><style>body{display:none}</style>")]
    [InlineData("<svg onload=alert(1)>")]
    public void Html_HostileValuesFromStorage_AreTextNeverMarkup(string hostile)
    {
        var day = DateOnly.FromDateTime(Noon.UtcDateTime);
        var counts = new Dictionary<string, long> { [hostile] = 3 };
        var report = new ComplianceReport(
            "tenant-a",
            new ReportPeriod(day, day),
            Noon,
            hostile,
            [new ChainDay(day, 5, new ChainDayBreak(hostile, 2, hostile))],
            new ReportActivity(
                [new DayCounts(day, counts)],
                [new DayCounts(day, counts)],
                0,
                new TranscriptActivity(1, counts, counts, [new CallerUse(hostile, 1, Noon)], 0, [new TranscriptDeletion(Noon, hostile, hostile, hostile)]),
                [new SubjectRequest(Noon, "export", hostile, hostile, hostile)],
                [new RetentionRun(Noon, counts, true)],
                [new CallerUse(hostile, 1, Noon)]),
            PolicyPosture.From(new Core.Configuration.PipelineOptions(), new Core.Webhooks.WebhookOptions(), new Azure.Retention.RetentionOptions().DeadLetterDays, "tenant-a"),
            [new KeyVersionUse(hostile, 1, null)],
            [new SecretRotation(hostile, 1, [null], 90, hostile)],
            new DeadLetterSummary(1, Noon, new Dictionary<string, int> { [hostile] = 1 }),
            [new AccessGrant(hostile, false, 0, null)]);

        var html = ComplianceReportHtml.Render(report);

        Assert.DoesNotContain(hostile, html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("<script|<img|<style|<svg onload", RegexOptions.IgnoreCase), StripOwnStyle(html));
        Assert.Contains("BROKEN", html, StringComparison.Ordinal);
    }

    // The document's own <style> block is the one style element allowed.
    private static string StripOwnStyle(string html) => Regex.Replace(html, "^.*?</style>", "", RegexOptions.Singleline);
}
