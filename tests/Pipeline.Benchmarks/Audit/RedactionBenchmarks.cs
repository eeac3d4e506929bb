using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Privacy;

namespace Pipeline.Benchmarks.Audit;

/// <summary>Issue 5 item 7: redacting a 2 KiB training event (target ≤ 20 µs).</summary>
[MemoryDiagnoser]
public class RedactionBenchmarks
{
    private PayloadRedactor _redactor = null!;
    private PipelineEvent _event = null!;

    [GlobalSetup]
    public void Setup()
    {
        _redactor = new PayloadRedactor("benchmark-pseudonym-key-of-32-characters-at-least");
        _event = new PipelineEvent("evt_1", "mindtickle", "acme", "coaching.session.completed", "k", DateTimeOffset.UnixEpoch, false, TrainingEvent());
    }

    /// <summary>A MindTickle coaching event of about 2 KiB: identifiers, scores, notes and free text with PII.</summary>
    public static JsonElement TrainingEvent()
    {
        var notes = new StringBuilder();
        while (notes.Length < 900)
        {
            notes.Append("Discussed pipeline hygiene and next steps with the regional team; follow up next week. ");
        }

        var body = new
        {
            event_id = "mt-2f9c1d",
            event_type = "coaching.session.completed",
            occurred_at = "2026-11-22T10:03:00Z",
            data = new
            {
                email = "omar.haddad@acme-corp.com",
                user_id = "u-99812",
                manager_email = "b.quist@acme-corp.com",
                session_id = "cs-4471",
                coach = new { name = "Bartholomew Quist", email = "b.quist@acme-corp.com" },
                score = 41,
                rubric = new[] { new { skill = "discovery", score = 3 }, new { skill = "closing", score = 2 }, new { skill = "objections", score = 4 } },
                coaching_notes = notes.ToString(),
                comment = "Call me at +1 415 555 0199 or mail omar.haddad@acme-corp.com; from 203.0.113.77",
                tags = new[] { "q4", "enterprise", "renewal" },
            },
        };
        return JsonSerializer.SerializeToElement(body);
    }

    [Benchmark]
    public string RedactPayload() =>
        _redactor.Project(Pipeline.Core.Webhooks.Vendors.EventSchemas.For(_event.Vendor, _event.EventType), _event.Payload).Kept?.ToJsonString() ?? "{}";

    /// <summary>The pattern net over a mebibyte of colons (the old IPv6 pattern was super-linear on it).</summary>
    [Benchmark]
    public string PatternsOverAMebibyteOfColons() => PiiPatterns.Redact(Colons);

    private static readonly string Colons = new(':', 1024 * 1024);

    [Benchmark]
    public IReadOnlyList<AuditEntry> AuditRowsOfEvent() => EventAudit.For(_event, _redactor);

    [Benchmark]
    public string PatternsOverFreeText() => _redactor.RedactText("Call me at +1 415 555 0199 or mail omar.haddad@acme-corp.com; from 203.0.113.77, card 4111 1111 1111 1111");
}
