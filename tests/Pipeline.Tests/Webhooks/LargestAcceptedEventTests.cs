using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Webhooks;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// Accepted means kept (issue 17): for each event type, the largest event the ingress accepts (a body
/// at the 1 MiB limit, every list at its limit: 800 meeting participants, 799 SCIM emails) goes through the real Local
/// mode broker, dispatcher and consumers, and is audited and, for a transcript, stored and read back.
/// </summary>
public sealed class LargestAcceptedEventTests(AzuriteFixture azurite)
{
    private const int MaxBody = 1024 * 1024;

    /// <summary>Pads the string <paramref name="field"/> so the whole body is just under the limit.</summary>
    private static string FillTo(JsonObject payload, Func<JsonObject, JsonObject> parent, string field, string unit)
    {
        var text = new StringBuilder();
        parent(payload)[field] = "";
        var room = MaxBody - 64 - Encoding.UTF8.GetByteCount(payload.ToJsonString());
        while (text.Length + unit.Length <= room)
        {
            text.Append(unit);
        }

        parent(payload)[field] = text.ToString();
        return payload.ToJsonString();
    }

    public static TheoryData<string, string> Largest()
    {
        const string Sentence = "Alice: let us review the quarterly numbers and the onboarding plan. ";
        var participants = new JsonArray([.. Enumerable.Range(0, ConsumerLimits.MaxParticipants)
            .Select(i => (JsonNode)new JsonObject { ["name"] = $"Participant {i}", ["email"] = $"participant.{i}@example.com" })]);
        var meeting = new JsonObject
        {
            ["id"] = "tm-max", ["type"] = "transcript.completed", ["created_at"] = "2026-12-02T10:00:00Z",
            ["data"] = new JsonObject { ["transcript_id"] = "tr-max", ["meeting_id"] = "m-max", ["language"] = "en", ["consent"] = true, ["participants"] = participants },
        };
        var user = EventCatalogueTests.UserEvent();
        var scim = user["data"]!["user"]!.AsObject();
        scim["userName"] = new string('u', 240) + "@example.com";
        scim["title"] = new string('t', 256);
        scim["emails"] = new JsonArray([.. Enumerable.Range(0, ConsumerLimits.MaxScimEmails).Select(i => (JsonNode)new JsonObject { ["value"] = $"alias.{i}@example.com", ["type"] = "work" })]);
        return new()
        {
            { "twinmind", FillTo(meeting, p => p["data"]!.AsObject(), "transcript", Sentence) },
            { "mindtickle", FillTo(user, p => p["data"]!["user"]!.AsObject(), "nickName", "Jay ") },
            { "mindtickle", FillTo(new JsonObject { ["event_id"] = "c-max", ["event_type"] = "coaching.session.completed", ["data"] = new JsonObject { ["score"] = 4 } }, p => p["data"]!.AsObject(), "coaching_notes", "Work on discovery questions. ") },
            { "mindtickle", FillTo(new JsonObject { ["event_id"] = "cc-max", ["event_type"] = "course.completed", ["data"] = new JsonObject { ["score"] = 99 } }, p => p["data"]!.AsObject(), "course_title", "Negotiation 101 ") },
            { "mindtickle", FillTo(new JsonObject { ["event_id"] = "cs-max", ["event_type"] = "certification.status_changed", ["data"] = new JsonObject { ["certification_status"] = "passed" } }, p => p["data"]!.AsObject(), "comment", "Well done. ") },
            { "standard", FillTo(new JsonObject { ["type"] = "invoice.paid", ["timestamp"] = "2026-12-02T10:00:00Z", ["data"] = new JsonObject() }, p => p["data"]!.AsObject(), "memo", "Paid in full. ") },
        };
    }

    [Theory]
    [MemberData(nameof(Largest))]
    public async Task Post_LargestAcceptedEvent_IsAuditedAndStored(string vendor, string body)
    {
        Assert.InRange(Encoding.UTF8.GetByteCount(body), MaxBody - 200, MaxBody);
        await using var host = await IngressHost.StartAsync(azurite, new Dictionary<string, string?> { ["Pipeline:Webhooks:MaxBodyBytes"] = MaxBody.ToString(System.Globalization.CultureInfo.InvariantCulture) }, realPublisher: true);

        using var response = await host.SendSignedAsync(vendor, body, id: $"msg_{Guid.NewGuid():N}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var eventId = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("eventId").GetString();
        var transcript = vendor == "twinmind";
        var rows = await Eventually.GetAsync(
            async () =>
            {
                var found = await AuditRows.ForTenantAsync(azurite, host.Tenant);
                var done = found.Any(r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.EventAccepted)
                    && (!transcript || found.Any(r => r.GetString("EventId") == eventId && r.GetString("Action") == AuditActions.TranscriptStored));
                return done ? found : null;
            },
            "the audit rows of the largest event",
            TimeSpan.FromSeconds(60));

        Assert.DoesNotContain(rows, r => r.GetString("Action") == AuditActions.TranscriptRejected);
        if (transcript)
        {
            // Every participant is findable by subject, and the text reads back whole.
            Assert.Equal(ConsumerLimits.MaxParticipants - 1, rows.Count(r => r.GetString("Action") == EventAudit.SubjectReferenced));
            var read = await host.Host.Services.GetRequiredService<TranscriptReader>().ReadAsync(host.Tenant, "tr-max", TestContext.Current.CancellationToken);
            Assert.True(read.Succeeded);
            var expected = JsonNode.Parse(body)!["data"]!["transcript"]!.GetValue<string>();
            Assert.Equal(Encoding.UTF8.GetByteCount(expected), read.Opened!.Plaintext!.Length);
        }
    }
}
