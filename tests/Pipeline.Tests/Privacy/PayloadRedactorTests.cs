using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Audit;
using Pipeline.Core.Events;
using Pipeline.Core.Privacy;

namespace Pipeline.Tests.Privacy;

/// <summary>Audit rows by allowlist (issue 16): only what an event's schema classifies safe is kept.</summary>
public sealed class PayloadRedactorTests
{
    private const string Key = "a-pseudonym-key-of-at-least-32-characters";
    private static readonly PayloadRedactor Redactor = new(Key);

    [Fact]
    public void EventAuditFor_Corpus_LeavesNoRawValue()
    {
        foreach (var (vendor, body) in PiiCorpus.Events("run"))
        {
            var rows = EventAudit.For(PiiCorpus.Event(vendor, body), Redactor);

            Assert.Empty(PiiCorpus.Leaks(Flatten(rows)));
        }
    }

    [Fact]
    public void Project_ScimUser_KeepsSafeFieldsAndPseudonymsOnly()
    {
        var user = Kept(PiiCorpus.Events("run")[0])["data"]!["user"]!.AsObject();

        Assert.Equal(Pseudonyms.Of(Key, PiiCorpus.ScimUser), user["userName"]!.GetValue<string>());
        Assert.Equal(Pseudonyms.Of(Key, PiiCorpus.ScimUser), user["emails"]![0]!["value"]!.GetValue<string>());
        Assert.True(user["active"]!.GetValue<bool>());
        // Title, names, ids, phone numbers, the enterprise extension and every unknown field are gone, not masked.
        Assert.Equal(["active", "emails", "userName"], user.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["value"], user["emails"]![0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Project_PersonalFieldsOfAnyEventType_AreNotKept()
    {
        // The fields the issue found stored verbatim: none of them is kept, by default, for any tenant.
        var title = Kept(("twinmind", """{"id":"e1","type":"transcript.completed","data":{"transcript_id":"t1","title":"Regional Director review","summary":"s","action_items":["a"]}}"""));
        var scim = Kept(("mindtickle", """{"event_id":"e2","event_type":"user.updated","data":{"user":{"userName":"u@x.example","title":"Regional Director","externalId":"x-1","id":"2819c223","department":"Sales"}}}"""));
        var course = Kept(("mindtickle", """{"event_id":"e3","event_type":"course.completed","data":{"course_id":"c-1","score":93,"learner_name":"Li Wei","manager_name":"Bo Quist","comment":"good"}}"""));

        Assert.Equal("""{"id":"e1","type":"transcript.completed","data":{"transcript_id":"t1"}}""", title.ToJsonString());
        Assert.Equal(["userName"], scim["data"]!["user"]!.AsObject().Select(p => p.Key));
        Assert.Equal("""{"course_id":"c-1"}""", course["data"]!.ToJsonString());
    }

    [Fact]
    public void Project_UnknownEventTypeAndStandardWebhooks_KeepTheEnvelopeOnly()
    {
        var unknown = Kept(("mindtickle", """{"event_id":"e1","event_type":"user.merged","occurred_at":"2026-11-22T10:00:00Z","data":{"user":{"userName":"a@b.example"}}}"""));
        var variant = Kept(("mindtickle", """{"event_id":"e2","event_type":"USER.created","data":{"user":{"userName":"a@b.example","title":"CEO"}}}"""));
        var standard = Kept(PiiCorpus.Events("run")[^1]);

        Assert.Equal("""{"event_id":"e1","event_type":"user.merged","occurred_at":"2026-11-22T10:00:00Z"}""", unknown.ToJsonString());
        Assert.Null(variant["data"]);
        Assert.Equal(["type", "timestamp"], standard.Select(p => p.Key));
    }

    [Fact]
    public void Project_NameThatSpellsAPath_IsNotTheField()
    {
        var kept = Kept(("mindtickle", """{"event_id":"e1","event_type":"course.completed","data/course_id":"Jane Doe","data":{"course_id":"c-1","course_id ":"Jane"}}"""));

        Assert.Equal("""{"event_id":"e1","event_type":"course.completed","data":{"course_id":"c-1"}}""", kept.ToJsonString());
    }

    [Fact]
    public void Project_SafeFieldOfTheWrongShape_IsDropped()
    {
        var kept = Kept(("mindtickle", """{"event_id":"e1","event_type":"course.completed","data":{"course_id":{"name":"Jane Doe"}}}"""));

        Assert.Null(kept["data"]);
    }

    [Fact]
    public void Project_SafeText_StillPassesThePatternNetAndTheTenantPatterns()
    {
        var tenant = new PayloadRedactor(Key, TenantPatterns.Compile(["ACME-[0-9]{4}"]));
        var payload = JsonDocument.Parse("""{"event_id":"e1","event_type":"course.completed","data":{"course_id":"jürgen@bücher.example ACME-1234 4111 1111 1111 1111"}}""").RootElement;

        var kept = tenant.Project(Core.Webhooks.Vendors.EventSchemas.For("mindtickle", "course.completed"), payload).Kept!;

        Assert.Equal(Pseudonyms.Of(Key, "jürgen@bücher.example") + " [redacted] [card]", kept["data"]!["course_id"]!.GetValue<string>());
    }

    [Fact]
    public void EventAuditFor_Meeting_OneRowPerParticipant_NoTranscript()
    {
        var meeting = PiiCorpus.Event("twinmind", PiiCorpus.Events("run")[4].Body);

        var rows = EventAudit.For(meeting, Redactor);

        Assert.Equal(2, rows.Count);
        Assert.Equal(Pseudonyms.Of(Key, PiiCorpus.FirstParticipant), rows[0].Subject);
        Assert.Equal(Pseudonyms.Of(Key, PiiCorpus.SecondParticipant), rows[1].Subject);
        Assert.Equal(EventAudit.SubjectReferenced, rows[1].Action);
        Assert.NotEqual(rows[0].RowKey, rows[1].RowKey);
        Assert.Single(rows.Select(r => r.PartitionKey).Distinct());
        var payload = JsonNode.Parse(rows[0].Details["payload"])!;
        Assert.Null(payload["data"]!["transcript"]);
        Assert.Null(payload["data"]!["participants"]![0]!["name"]);
        Assert.Empty(PiiCorpus.Leaks(Flatten(rows)));
    }

    [Fact]
    public void EventAuditFor_HugeSafeField_IsCutToThePropertyLimit()
    {
        var big = JsonSerializer.SerializeToElement(new { event_id = "e", event_type = "course.completed", data = new { course_id = new string('x', 100_000) } });
        var pipelineEvent = new PipelineEvent("evt_2", "mindtickle", "acme", "course.completed", "k", DateTimeOffset.UnixEpoch, false, big);

        var row = Assert.Single(EventAudit.For(pipelineEvent, Redactor));

        Assert.Equal(EventAudit.MaxPayloadChars, row.Details["payload"].Length);
        Assert.Equal("true", row.Details["payloadTruncated"]);
    }

    private static JsonObject Kept((string Vendor, string Body) sample)
    {
        var row = EventAudit.For(PiiCorpus.Event(sample.Vendor, sample.Body), Redactor)[0];
        return JsonNode.Parse(row.Details["payload"])!.AsObject();
    }

    internal static string Flatten(IEnumerable<AuditEntry> rows) =>
        string.Join('|', rows.SelectMany(r => r.Details.Select(d => d.Key + "=" + d.Value).Append(r.Subject ?? "").Append(r.ResourceId ?? "")));
}
