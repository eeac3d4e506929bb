using System.Globalization;
using System.Net;
using System.Text;

namespace Pipeline.Core.Reports;

/// <summary>
/// Renders a <see cref="ComplianceReport"/> as one self-contained HTML document: inline CSS and SVG, no script,
/// and a Content-Security-Policy that forbids loading anything, so it reads the same offline, archived, or
/// printed to PDF. Every value from storage is HTML-encoded.
/// </summary>
public static class ComplianceReportHtml
{
    private const string Style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;max-width:840px;margin:24px auto;padding:0 16px}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:28px}
        table{border-collapse:collapse;width:100%;margin:8px 0}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #e3e3e3;vertical-align:top}
        td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#666}.ok{color:#05632f;font-weight:600}.bad{color:#a30000;font-weight:600}
        .summary{display:grid;grid-template-columns:repeat(4,1fr);gap:8px;margin:12px 0}.summary div{border:1px solid #ddd;border-radius:4px;padding:6px 8px}
        .summary b{display:block;font-size:18px}code{font-size:12px;word-break:break-all}
        .chart{width:100%;height:auto}.chart .grid{stroke:#e3e3e3}.chart .tick,.chart .legend{font-size:11px;fill:#444}
        @page{margin:16mm}@media print{body{margin:0;max-width:none}section{break-inside:avoid}}
        """;

    /// <summary>The document.</summary>
    public static string Render(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
            .Append("<title>Compliance report ").Append(E(report.Tenant)).Append(' ').Append(Day(report.Period.First)).Append(" to ").Append(Day(report.Period.Last)).Append("</title>")
            .Append("<style>").Append(Style).Append("</style></head><body>");
        html.Append("<header><h1>Compliance report: tenant <code>").Append(E(report.Tenant)).Append("</code></h1><p class=\"muted\">")
            .Append(Day(report.Period.First)).Append(" to ").Append(Day(report.Period.Last)).Append(" (UTC days, both included). Generated ")
            .Append(Time(report.GeneratedAt)).Append(" by <code>").Append(E(report.GeneratedBy)).Append("</code>. Ids, pseudonyms and counts only: this report holds no personal data.</p></header>");
        Summary(html, report);
        Chain(html, report);
        Inbound(html, report);
        Transcripts(html, report.Activity.Transcripts);
        Subjects(html, report.Activity.SubjectRequests);
        Retention(html, report);
        Keys(html, report);
        DeadLetters(html, report.DeadLetters);
        Posture(html, report.Posture);
        Access(html, report);
        return html.Append("</body></html>").ToString();
    }

    private static void Summary(StringBuilder html, ComplianceReport report)
    {
        var activity = report.Activity;
        html.Append("<section id=\"summary\"><div class=\"summary\">");
        Tile(html, "Audit chain", report.ChainIntact ? "<span class=\"ok\">intact</span>" : "<span class=\"bad\">BROKEN</span>");
        Tile(html, "Events accepted", N(activity.Accepted.Sum(d => d.Total)));
        Tile(html, "Webhooks rejected", N(activity.Rejected.Sum(d => d.Total)));
        Tile(html, "Duplicates", N(activity.Duplicates));
        Tile(html, "Transcripts stored", N(activity.Transcripts.Stored));
        Tile(html, "Subject requests", N(activity.SubjectRequests.Count));
        Tile(html, "Retention runs", N(activity.RetentionRuns.Count));
        Tile(html, "Dead letters now", N(report.DeadLetters.Count));
        html.Append("</div></section>");
    }

    private static void Chain(StringBuilder html, ComplianceReport report)
    {
        var rows = report.Chain.Sum(d => d.Rows);
        html.Append("<section id=\"chain\"><h2>Audit chain</h2><p>Each audit row carries its sequence number in its day, the MAC of the row before it and its own ")
            .Append("HMAC-SHA256 over every property, keyed with a key derived from the pseudonym key, which the table's writers cannot see; a head row holds the last link. ")
            .Append("Verification recomputes every MAC and link of every day, so an edited, deleted, moved or inserted row shows as a break. Days older than the audit ")
            .Append("retention may start mid-chain, where retention removed the oldest rows.</p><p>")
            .Append(report.ChainIntact
                ? $"<span class=\"ok\">Intact</span>: {N(rows)} rows over {N(report.Chain.Count)} day(s) verified."
                : $"<span class=\"bad\">Broken</span>: {N(report.Chain.Count(d => d.Break is not null))} of {N(report.Chain.Count)} days fail verification.")
            .Append("</p><table><tr><th>Day</th><th class=\"n\">Rows</th><th>Result</th></tr>");
        foreach (var day in report.Chain.Where(d => d.Rows > 0 || d.Break is not null))
        {
            html.Append("<tr><td>").Append(Day(day.Day)).Append("</td><td class=\"n\">").Append(N(day.Rows)).Append("</td><td>")
                .Append(day.Break is { } b
                    ? $"<span class=\"bad\">break</span> at row <code>{E(b.RowKey)}</code> (seq {b.Seq?.ToString(CultureInfo.InvariantCulture) ?? "-"}): {E(b.Reason)}"
                    : "<span class=\"ok\">intact</span>")
                .Append("</td></tr>");
        }

        html.Append("</table></section>");
    }

    private static void Inbound(StringBuilder html, ComplianceReport report)
    {
        var days = report.Period.Days.ToList();
        var activity = report.Activity;
        html.Append("<section id=\"accepted\"><h2>Events accepted</h2>")
            .Append(SvgBarChart.Render("Events accepted per day by vendor and event type", Fill(days, activity.Accepted)));
        Totals(html, "Vendor · event type", activity.Accepted);
        html.Append("</section><section id=\"rejected\"><h2>Webhooks rejected</h2>")
            .Append(SvgBarChart.Render("Webhooks rejected per day by reason", Fill(days, activity.Rejected)));
        Totals(html, "Reason", activity.Rejected);
        html.Append("<p>Duplicate deliveries answered without publishing again: <b>").Append(N(activity.Duplicates)).Append("</b>.</p></section>");
    }

    private static void Transcripts(StringBuilder html, TranscriptActivity transcripts)
    {
        html.Append("<section id=\"transcripts\"><h2>Transcripts</h2><p>Stored (envelope-encrypted): <b>").Append(N(transcripts.Stored))
            .Append("</b>. Reads refused (not found or not a valid id): <b>").Append(N(transcripts.ReadsRefused)).Append("</b>.</p>");
        Counts(html, "Not stored by policy (reason)", transcripts.Skipped);
        Counts(html, "Not stored for cause (outcome)", transcripts.Refused);
        html.Append("<h3>Read by</h3>");
        Callers(html, transcripts.Readers, "Reads");
        html.Append("<h3>Deleted</h3><table><tr><th>When</th><th>Transcript id</th><th>By</th><th>Outcome</th></tr>");
        foreach (var deletion in transcripts.Deletions)
        {
            Row(html, Time(deletion.At), Code(deletion.TranscriptId), Code(deletion.Actor), E(deletion.Outcome));
        }

        html.Append("</table></section>");
    }

    private static void Subjects(StringBuilder html, IReadOnlyList<SubjectRequest> requests)
    {
        html.Append("<section id=\"subjects\"><h2>Subject exports and erasures</h2><table><tr><th>When</th><th>Request</th><th>Subject (pseudonym)</th><th>By</th><th>Outcome</th></tr>");
        foreach (var request in requests)
        {
            Row(html, Time(request.At), E(request.Kind), Code(request.Pseudonym), Code(request.Actor), E(request.Outcome));
        }

        html.Append("</table></section>");
    }

    private static void Retention(StringBuilder html, ComplianceReport report)
    {
        var posture = report.Posture;
        html.Append("<section id=\"retention\"><h2>Retention</h2><p>Policy in force: transcripts kept <b>").Append(N(posture.TranscriptRetentionDays))
            .Append("</b> days, audit rows <b>").Append(N(posture.AuditRetentionDays)).Append("</b> days, dead letters <b>").Append(N(posture.DeadLetterDays))
            .Append("</b> days; transcripts stored: <b>").Append(posture.StoreTranscripts ? "yes" : "no").Append("</b>.</p>")
            .Append("<table><tr><th>Run</th><th>Rows purged</th><th>Finished</th></tr>");
        foreach (var run in report.Activity.RetentionRuns)
        {
            Row(html, Time(run.At), E(string.Join(", ", run.Purged.Select(p => $"{p.Key} {N(p.Value)}"))), run.Finished ? "yes" : "<span class=\"bad\">no (budget spent)</span>");
        }

        html.Append("</table></section>");
    }

    private static void Keys(StringBuilder html, ComplianceReport report)
    {
        html.Append("<section id=\"keys\"><h2>Keys and secrets</h2><h3>Key-encryption-key versions wrapping stored transcripts</h3><table><tr><th>Key version</th><th class=\"n\">Transcripts</th><th>Created (rotated in)</th></tr>");
        foreach (var key in report.Keys)
        {
            Row(html, Code(key.KeyId), Number(key.Transcripts), key.Created is { } created ? Time(created) : "<span class=\"muted\">unknown</span>");
        }

        html.Append("</table><h3>Webhook secrets</h3><table><tr><th>Vendor</th><th class=\"n\">Secrets</th><th>Ages (days)</th><th>Status</th></tr>");
        foreach (var secret in report.Secrets)
        {
            Row(html, E(secret.Vendor), Number(secret.Secrets), E(string.Join(", ", secret.AgeDays.Select(a => a?.ToString(CultureInfo.InvariantCulture) ?? "unknown"))), E(secret.Status));
        }

        html.Append("</table></section>");
    }

    private static void DeadLetters(StringBuilder html, DeadLetterSummary deadLetters)
    {
        html.Append("<section id=\"deadletters\"><h2>Dead letters</h2><p>Messages a consumer gave up on, now: <b>").Append(N(deadLetters.Count)).Append("</b>")
            .Append(deadLetters.Oldest is { } oldest ? $"; oldest enqueued {Time(oldest)}" : "").Append(".</p>");
        Counts(html, "Subscription", deadLetters.BySubscription.ToDictionary(d => d.Key, d => (long)d.Value, StringComparer.Ordinal));
        html.Append("</section>");
    }

    private static void Posture(StringBuilder html, PolicyPosture posture)
    {
        html.Append("<section id=\"posture\"><h2>Configuration posture</h2><table>");
        Row(html, "Vendors enabled", E(string.Join(", ", posture.Vendors)));
        Row(html, "Replay tolerance", $"{N(posture.ReplayToleranceSeconds)} s");
        Row(html, "Deduplication window", $"{N(posture.DeduplicationHours)} h");
        Row(html, "Largest body", $"{N(posture.MaxBodyBytes)} bytes");
        Row(html, "Rate limit (verified)", $"{N(posture.RatePermitsPerSecond)}/s, burst {N(posture.RateBurst)}");
        Row(html, "Rate limit (unverified, per network)", $"{N(posture.UnverifiedPerNetworkPermitsPerSecond)}/s");
        Row(html, "Consent required for transcripts", posture.RequireConsent ? "yes" : "no");
        Row(html, "Tenant redaction patterns", N(posture.TenantPiiPatterns));
        Row(html, "Secret rotation period", $"{N(posture.SecretRotationDays)} days");
        Row(html, "Audit redaction", E(PolicyPosture.RedactionRule));
        html.Append("</table></section>");
    }

    private static void Access(StringBuilder html, ComplianceReport report)
    {
        html.Append("<section id=\"access\"><h2>Access review</h2><p>Callers holding a grant for this tenant, and their use of its APIs in the period.</p>")
            .Append("<table><tr><th>Object id</th><th>Grant</th><th class=\"n\">Uses in period</th><th>Last use</th></tr>");
        foreach (var grant in report.Access)
        {
            Row(html, Code(grant.ObjectId), grant.AllTenants ? "all tenants (*)" : "this tenant", Number(grant.UsesInPeriod),
                grant.LastUse is { } last ? Time(last) : "<span class=\"muted\">unused</span>");
        }

        html.Append("</table>");
        var granted = report.Access.Select(a => a.ObjectId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var others = report.Activity.Callers.Where(c => !granted.Contains(c.Actor)).ToList();
        if (others.Count > 0)
        {
            html.Append("<h3>Other callers in the period (operators through the CLI, or grants since removed)</h3>");
            Callers(html, others, "Uses");
        }

        html.Append("</section>");
    }

    private static void Totals(StringBuilder html, string heading, IReadOnlyList<DayCounts> days) =>
        Counts(html, heading, days.SelectMany(d => d.Counts).GroupBy(c => c.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(c => c.Value), StringComparer.Ordinal));

    private static void Counts(StringBuilder html, string heading, IReadOnlyDictionary<string, long> counts)
    {
        html.Append("<table><tr><th>").Append(E(heading)).Append("</th><th class=\"n\">Count</th></tr>");
        foreach (var (key, count) in counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal))
        {
            Row(html, E(key), Number(count));
        }

        if (counts.Count == 0)
        {
            Row(html, "<span class=\"muted\">none</span>", Number(0));
        }

        html.Append("</table>");
    }

    private static void Callers(StringBuilder html, IReadOnlyList<CallerUse> callers, string heading)
    {
        html.Append("<table><tr><th>Caller</th><th class=\"n\">").Append(heading).Append("</th><th>Last</th></tr>");
        foreach (var caller in callers)
        {
            Row(html, Code(caller.Actor), Number(caller.Uses), Time(caller.LastUse));
        }

        html.Append("</table>");
    }

    /// <summary>Every day of the period, empty ones included, so the chart's x axis is the calendar.</summary>
    private static List<DayCounts> Fill(IEnumerable<DateOnly> days, IReadOnlyList<DayCounts> counted)
    {
        var byDay = counted.ToDictionary(d => d.Day);
        return [.. days.Select(day => byDay.TryGetValue(day, out var found) ? found : new DayCounts(day, new Dictionary<string, long>()))];
    }

    // Cells are already encoded or markup of this class: callers encode every stored value with E or Code.
    private static void Row(StringBuilder html, params Cell[] cells)
    {
        html.Append("<tr>");
        foreach (var cell in cells)
        {
            html.Append(cell.Numeric ? "<td class=\"n\">" : "<td>").Append(cell.Html).Append("</td>");
        }

        html.Append("</tr>");
    }

    /// <summary>A count in a table: right-aligned, so a column of them lines up.</summary>
    private static Cell Number(long value) => new(N(value), Numeric: true);

    /// <summary>One table cell: markup (already encoded) and whether it is a count.</summary>
    private readonly record struct Cell(string Html, bool Numeric)
    {
        public static implicit operator Cell(string html) => new(html, Numeric: false);
    }

    private static void Tile(StringBuilder html, string label, string value) =>
        html.Append("<div><b>").Append(value).Append("</b>").Append(E(label)).Append("</div>");

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Code(string? text) => text is null ? "<span class=\"muted\">-</span>" : $"<code>{E(text)}</code>";

    private static string N(long value) => value.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
}
