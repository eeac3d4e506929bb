using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Retention;
using Pipeline.Core.Audit;
using Pipeline.Core.Reports;
using Pipeline.Host.Auth;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Reports;

/// <summary>
/// The compliance report (issue 14) of what the real handler did on Azurite, fetched over HTTP and opened in
/// headless Chromium: its DOM, a screenshot and a PDF.
/// </summary>
public sealed class ComplianceReportTests(AzuriteFixture azurite) : IAsyncDisposable
{
    // Markers in every personal field sent; none may reach the report.
    private const string LearnerEmail = "report-marker-learner@example.org";
    private const string LearnerName = "ReportMarkerLearnerName";
    private const string ParticipantEmail = "report-marker-participant@example.org";
    private const string ParticipantName = "ReportMarkerParticipantName";
    private const string TranscriptText = "ReportMarkerTranscriptText: the renewal closes this quarter.";

    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-report-").FullName;

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return ValueTask.CompletedTask;
    }

    private static string Token(string oid, string role) =>
        LocalTokens.Mint(TestHost.LocalSigningKey, oid, [role], [], DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

    [Fact]
    public async Task Report_OfWhatTheHandlerDid_ShowsEveryActivityInChromiumAndNoPersonalData()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var tenant = Secrets.NewTenant();
        var (mindTickle, twinMind) = (Secrets.NewSecret(), Secrets.NewSecret());
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Secrets:0"] = mindTickle,
            [$"Pipeline:Tenants:{tenant}:Vendors:twinmind:Secrets:0"] = twinMind,
            ["Pipeline:KeyVault:LocalKeyFile"] = Path.Combine(_directory, "local-kek.json"),
            ["Pipeline:Access:Grants:oid-auditor:0"] = tenant,
            ["Pipeline:Access:Grants:oid-reader:0"] = tenant,
            ["Pipeline:Access:Grants:oid-dpo:0"] = tenant,
            ["Pipeline:Access:Grants:oid-unused:0"] = tenant,
        });

        // In: two training events, one transcript, one forged signature.
        for (var i = 0; i < 2; i++)
        {
            using var accepted = await host.Client.SendAsync(Signing.MindTickle(tenant, mindTickle, CourseCompleted($"mt-{i}"), DateTimeOffset.UtcNow), cancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using (var redelivered = await host.Client.SendAsync(Signing.MindTickle(tenant, mindTickle, CourseCompleted("mt-0"), DateTimeOffset.UtcNow), cancellationToken))
        {
            Assert.Contains("\"duplicate\":true", await redelivered.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
        }

        foreach (var transcriptId in (string[])["tr-report-1", "tr-report-2"])
        {
            using var transcript = await host.Client.SendAsync(Signing.TwinMind(tenant, twinMind, Transcript(transcriptId)), cancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, transcript.StatusCode);
        }

        using (var forged = await host.Client.SendAsync(Signing.MindTickle(tenant, Secrets.NewSecret(), CourseCompleted("mt-forged"), DateTimeOffset.UtcNow), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        await Eventually.GetAsync(
            async () => (await AuditRows.ForTenantAsync(azurite, tenant)) is var rows
                && rows.Count(r => r.GetString("Action") == AuditActions.EventAccepted) == 4
                && rows.Count(r => r.GetString("Action") == AuditActions.TranscriptStored) == 2
                && rows.Any(r => r.GetString("Action") == "webhook.rejected")
                && rows.Any(r => r.GetString("Action") == "webhook.duplicate") ? rows : null,
            "the accepted, stored, rejected and duplicate rows");

        // Then: a read, a deletion, an erasure and a retention run.
        using (var read = await host.SendAsync(HttpMethod.Get, $"/api/transcripts/{tenant}/tr-report-1", Token("oid-reader", CallerRoles.TranscriptsRead)))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        }

        using (var deleted = await host.SendAsync(HttpMethod.Delete, $"/api/transcripts/{tenant}/tr-report-1", Token("oid-dpo", CallerRoles.TranscriptsDelete)))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var erased = await host.SendAsync(HttpMethod.Delete, $"/api/subjects/{tenant}/{Uri.EscapeDataString(LearnerEmail)}", Token("oid-dpo", CallerRoles.SubjectsErase)))
        {
            Assert.True(erased.IsSuccessStatusCode, $"erasure answered {erased.StatusCode}");
        }

        await host.Services.GetRequiredService<RetentionRunner>().RunAsync(new RetentionRequest(DateTimeOffset.UtcNow, false, tenant, TimeSpan.FromMinutes(1)), cancellationToken: cancellationToken);

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        using var response = await host.SendAsync(HttpMethod.Get, $"/api/reports/{tenant}?from={today}&to={today}", Token("oid-auditor", CallerRoles.AuditRead));
        var html = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("default-src 'none'; style-src 'unsafe-inline'", response.Headers.GetValues("Content-Security-Policy").Single());

        // Self-contained: nothing to fetch, nothing to run.
        Assert.DoesNotMatch(new Regex("<script|<img|<link|<iframe|src=|href=|url\\(|@import", RegexOptions.IgnoreCase), html);
        foreach (var marker in (string[])[LearnerEmail, LearnerName, ParticipantEmail, ParticipantName, "ReportMarker", "score\":"])
        {
            Assert.DoesNotContain(marker, html, StringComparison.OrdinalIgnoreCase);
        }

        var file = Path.Combine(_directory, "report.html");
        await File.WriteAllTextAsync(file, html, cancellationToken);
        var dom = await HeadlessChromium.DumpDomAsync(file);
        var text = Regex.Replace(dom, "<[^>]+>", " ");
        Assert.Contains($"Compliance report: tenant {tenant}", Regex.Replace(text, @"\s+", " "), StringComparison.Ordinal);
        Assert.Matches(@"<b><span class=""ok"">intact</span></b>Audit chain", dom);
        Assert.Matches(@"<b>4</b>Events accepted", dom);
        Assert.Matches(@"<b>1</b>Webhooks rejected", dom);
        Assert.Matches(@"<b>1</b>Duplicates", dom);
        Assert.Matches(@"<b>2</b>Transcripts stored", dom);
        Assert.Matches(@"<td>mindtickle · course\.completed</td><td class=""n"">2</td>", dom);
        Assert.Matches(@"<td>twinmind · transcript\.completed</td><td class=""n"">2</td>", dom);
        Assert.Matches(@"<td>bad-signature</td><td class=""n"">1</td>", dom);
        Assert.Equal(2, Regex.Count(dom, "<svg "));
        Assert.Matches(@"<code>tr-report-1</code></td><td><code>oid-dpo</code></td><td>success</td>", dom); // the deletion
        Assert.Matches(@"<td>erasure</td><td><code>psn_[0-9a-f]{16,}</code></td><td><code>oid-dpo</code></td>", dom);
        Assert.Matches(@"<section id=""retention"">.*<tr><td>\d{4}-\d\d-\d\d \d\d:\d\d UTC</td>", dom);
        Assert.Matches(@"<code>oid-reader</code></td><td class=""n"">1</td>", dom); // read by
        Assert.Matches(@"<code>oid-unused</code></td><td>this tenant</td><td class=""n"">0</td><td><span class=""muted"">unused</span>", dom);
        Assert.Matches(@"<tr><td><code>local:kek[^<]*</code></td><td class=""n"">1</td>", dom); // tr-report-2 is still wrapped under it

        // A person sees the charts: the palette's first colour fills the bars; a PDF prints.
        var screenshot = PngPixels.Decode(await HeadlessChromium.ScreenshotAsync(file, 900, 1400));
        Assert.True(screenshot.Count(SvgBarChart.Palette[0]) > 200, "the accepted chart's bars are drawn");
        Assert.True(screenshot.Count(SvgBarChart.Palette[1]) > 200, "the second series is drawn in the second colour");
        var pdf = await HeadlessChromium.PrintToPdfAsync(file);
        Assert.Equal("%PDF", Encoding.ASCII.GetString(pdf, 0, 4));

        // Making the report is audited, and the JSON form carries the same facts.
        var rowsAfter = await AuditRows.ForTenantAsync(azurite, tenant);
        Assert.Contains(rowsAfter, r => r.GetString("Action") == ComplianceReport.GeneratedAction && r.GetString("Actor") == "oid-auditor");
        using var json = await host.SendAsync(HttpMethod.Get, $"/api/reports/{tenant}?from={today}&to={today}&format=json", Token("oid-auditor", CallerRoles.AuditRead));
        var document = JsonNode.Parse(await json.Content.ReadAsStringAsync(cancellationToken))!;
        Assert.True(document["chainIntact"]!.GetValue<bool>());
        Assert.Equal(4, document["activity"]!["accepted"]!.AsArray().Sum(day => day!["total"]!.GetValue<long>()));
    }

    [Theory]
    [InlineData("from=2026-11-02&to=2026-11-01")]
    [InlineData("from=2026-11-01")]
    [InlineData("from=2025-01-01&to=2026-11-01")]
    [InlineData("from=2026-11-01T00:00:00Z&to=2026-11-02")]
    [InlineData("from=2026-11-01&to=2026-11-02&format=pdf")]
    public async Task Report_BadQuery_Is400AndAuditsNothing(string query)
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?> { ["Pipeline:Access:Grants:oid-auditor:0"] = tenant });

        using var response = await host.SendAsync(HttpMethod.Get, $"/api/reports/{tenant}?{query}", Token("oid-auditor", CallerRoles.AuditRead));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("urn:pipeline:problem:report:", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(await AuditRows.ForTenantAsync(azurite, tenant));
    }

    [Fact]
    public async Task Report_CallerWithoutAuditReadOrGrant_IsRefused()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?> { ["Pipeline:Access:Grants:oid-reader:0"] = tenant });

        using var wrongRole = await host.SendAsync(HttpMethod.Get, $"/api/reports/{tenant}?from=2026-11-01&to=2026-11-01", Token("oid-reader", CallerRoles.TranscriptsRead));
        using var noGrant = await host.SendAsync(HttpMethod.Get, $"/api/reports/{tenant}?from=2026-11-01&to=2026-11-01", Token("oid-stranger", CallerRoles.AuditRead));
        using var anonymous = await host.SendAsync(HttpMethod.Get, $"/api/reports/{tenant}?from=2026-11-01&to=2026-11-01", null);

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized), (wrongRole.StatusCode, noGrant.StatusCode, anonymous.StatusCode));
    }

    private static byte[] CourseCompleted(string eventId) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["event_id"] = eventId,
        ["event_type"] = "course.completed",
        ["occurred_at"] = "2026-11-22T09:30:00Z",
        ["data"] = new JsonObject
        {
            ["user_id"] = "u-1001",
            ["email"] = LearnerEmail,
            ["learner_name"] = LearnerName,
            ["course_id"] = "onboarding-101",
            ["score"] = 92,
        },
    }.ToJsonString());

    private static byte[] Transcript(string transcriptId) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["id"] = "evt-" + transcriptId,
        ["type"] = "transcript.completed",
        ["created_at"] = "2026-11-22T10:00:00Z",
        ["data"] = new JsonObject
        {
            ["transcript_id"] = transcriptId,
            ["consent"] = true,
            ["meeting_id"] = "m-" + transcriptId,
            ["transcript"] = TranscriptText,
            ["language"] = "en",
            ["participants"] = new JsonArray(new JsonObject { ["name"] = ParticipantName, ["email"] = ParticipantEmail }),
        },
    }.ToJsonString());
}
