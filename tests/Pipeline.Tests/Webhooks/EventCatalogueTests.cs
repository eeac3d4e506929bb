using System.Text.Json;
using System.Text.Json.Nodes;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;

namespace Pipeline.Tests.Webhooks;

public sealed class EventCatalogueTests
{
    internal const string ValidUser = """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jane.doe@example.com",
         "name":{"givenName":"Jane","familyName":"Doe"},"emails":[{"value":"jane.doe@example.com","primary":true,"type":"work"}],
         "title":"Engineer","active":true,
         "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E-42","manager":{"value":"mgr-7","displayName":"Max"}}}
        """;

    internal static JsonObject UserEvent(string type = "user.created") => new()
    {
        ["event_id"] = "evt-1",
        ["event_type"] = type,
        ["occurred_at"] = "2026-11-22T10:00:00Z",
        ["data"] = new JsonObject { ["user"] = JsonNode.Parse(ValidUser) },
    };

    private static string? Validate(string vendorName, JsonNode payload)
    {
        var vendor = WebhookVendors.Get(vendorName);
        var root = JsonDocument.Parse(payload.ToJsonString()).RootElement;
        return EventCatalogue.Validate(vendor, vendor.EventType(_ => null, root), root);
    }

    [Theory]
    [InlineData("user.created")]
    [InlineData("user.updated")]
    [InlineData("user.deactivated")]
    public void Validate_ValidScimUser_Passes(string type)
    {
        Assert.Null(Validate("mindtickle", UserEvent(type)));
    }

    [Theory]
    [InlineData("userName", null, "data.user.userName")]
    [InlineData("userName", "", "data.user.userName")]
    [InlineData("userName", 42, "data.user.userName")]
    [InlineData("name", "Jane Doe", "data.user.name")]
    [InlineData("emails", "jane@example.com", "data.user.emails")]
    [InlineData("active", "yes", "data.user.active")]
    [InlineData("title", 7, "data.user.title")]
    public void Validate_InvalidUserField_NamesTheField(string field, object? value, string expected)
    {
        var payload = UserEvent();
        var user = payload["data"]!["user"]!.AsObject();
        if (value is null)
        {
            user.Remove(field);
        }
        else
        {
            user[field] = JsonValue.Create(value);
        }

        Assert.Equal(expected, Validate("mindtickle", payload));
    }

    [Fact]
    public void Validate_UserNameOf254_PassesAnd255_Fails()
    {
        var payload = UserEvent();
        payload["data"]!["user"]!["userName"] = new string('u', 254);
        Assert.Null(Validate("mindtickle", payload));

        payload["data"]!["user"]!["userName"] = new string('u', 255);
        Assert.Equal("data.user.userName", Validate("mindtickle", payload));
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("jane@")]
    [InlineData("@example.com")]
    [InlineData("jane@@example.com")]
    [InlineData("jane..doe@example.com")]
    [InlineData("jane@example")]
    [InlineData("jane@-example.com")]
    [InlineData("jane doe@example.com")]
    [InlineData("<script>@example.com")]
    public void Validate_InvalidEmail_NamesItsIndexNotItsValue(string email)
    {
        var payload = UserEvent();
        payload["data"]!["user"]!["emails"] = new JsonArray(
            new JsonObject { ["value"] = "ok@example.com" },
            new JsonObject { ["value"] = email });

        var field = Validate("mindtickle", payload);

        Assert.Equal("data.user.emails[1].value", field);
        Assert.DoesNotContain(email, field, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("jane.doe@example.com")]
    [InlineData("j+tag@mail.example.co.uk")]
    [InlineData("o'brien@example.ie")]
    [InlineData("jürgen@exämple.de")]
    public void IsValid_WellFormedEmail_IsTrue(string email) => Assert.True(EmailAddresses.IsValid(email));

    [Fact]
    public void Validate_UserCreatedWithoutFamilyName_NamesIt()
    {
        var payload = UserEvent();
        payload["data"]!["user"]!["name"]!.AsObject().Remove("familyName");

        Assert.Equal("data.user.name.familyName", Validate("mindtickle", payload));
    }

    [Fact]
    public void Validate_UserDeactivatedWithUserNameOnly_Passes()
    {
        var payload = UserEvent("user.deactivated");
        payload["data"]!["user"] = new JsonObject { ["userName"] = "jane", ["active"] = false };

        Assert.Null(Validate("mindtickle", payload));
    }

    [Fact]
    public void Validate_EnterpriseManagerNotAnObject_NamesIt()
    {
        var payload = UserEvent();
        payload["data"]!["user"]![Core.Webhooks.Vendors.MindTickle.MindTickleEvents.EnterpriseUser]!["manager"] = 5;

        Assert.Equal($"data.user.{Core.Webhooks.Vendors.MindTickle.MindTickleEvents.EnterpriseUser}.manager", Validate("mindtickle", payload));
    }

    [Theory]
    [InlineData("""{"event_type":"user.created","data":{}}""", "data.user")]
    [InlineData("""{"event_type":"user.created"}""", "data")]
    [InlineData("""{"event_type":"user.created","data":[]}""", "data")]
    [InlineData("""{"data":{}}""", "event_type")]
    [InlineData("""{"event_type":5}""", "event_type")]
    [InlineData("""{"event_type":"x","event_id":7}""", "event_id")]
    [InlineData("""{"event_type":"x","occurred_at":"yesterday"}""", "occurred_at")]
    [InlineData("""{"event_type":"course.completed","data":{}}""", "data.score")]
    [InlineData("""{"event_type":"course.completed","data":{"score":"97"}}""", "data.score")]
    [InlineData("""{"event_type":"course.completed","data":{"score":-1}}""", "data.score")]
    [InlineData("""{"event_type":"certification.status_changed","data":{}}""", "data.certification_status")]
    [InlineData("""{"event_type":"coaching.session.completed","data":{"coaching_notes":3}}""", "data.coaching_notes")]
    public void Validate_InvalidMindTickleEvent_NamesTheField(string json, string expected)
    {
        Assert.Equal(expected, Validate("mindtickle", JsonNode.Parse(json)!));
    }

    [Theory]
    [InlineData("""{"event_id":"1","event_type":"course.completed","data":{"score":97.5}}""")]
    [InlineData("""{"event_type":"certification.status_changed","data":{"certification_status":"certified"}}""")]
    [InlineData("""{"event_type":"coaching.session.completed","data":{"coaching_notes":"Good call.","score":4}}""")]
    [InlineData("""{"event_type":"something.new","whatever":[1,2,3]}""")]
    public void Validate_ValidMindTickleEventOrUnknownType_Passes(string json)
    {
        Assert.Null(Validate("mindtickle", JsonNode.Parse(json)!));
    }

    [Theory]
    [InlineData("""{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1","meeting_id":"m-1","transcript":"Hello.","language":"en","participants":[{"name":"Jane","email":"jane@example.com"}]}}""", null)]
    [InlineData("""{"id":"t1","type":"meeting.started","data":{}}""", null)]
    [InlineData("""{"id":"t1","type":"transcript.completed","data":{"meeting_id":"m-1","transcript":"x"}}""", "data.transcript_id")]
    [InlineData("""{"id":"t1","type":"transcript.completed","data":{"transcript_id":"a/b","transcript":"x"}}""", "data.transcript_id")]
    [InlineData("""{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1"}}""", "data.transcript")]
    [InlineData("""{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":"x","participants":[{"email":"nope"}]}}""", "data.participants[0].email")]
    [InlineData("""{"id":"t1","data":{}}""", "type")]
    public void Validate_TwinMindEvent_NamesTheFailingField(string json, string? expected)
    {
        Assert.Equal(expected, Validate("twinmind", JsonNode.Parse(json)!));
    }

    [Theory]
    [InlineData("""{"type":"invoice.paid","timestamp":"2026-11-22T10:00:00Z","data":{"amount":1}}""", null)]
    [InlineData("""{"timestamp":"2026-11-22T10:00:00Z","data":{}}""", "type")]
    [InlineData("""{"type":"a","timestamp":12}""", "timestamp")]
    public void Validate_StandardEvent_ChecksEnvelope(string json, string? expected)
    {
        Assert.Equal(expected, Validate("standard", JsonNode.Parse(json)!));
    }

    [Theory]
    [InlineData("user.created", true)]
    [InlineData("user.deleted", true)]
    [InlineData("course.completed", false)]
    [InlineData("username", false)]
    public void RequiresScimWrite_UserEvents_NeedTheScope(string type, bool expected)
    {
        Assert.Equal(expected, WebhookVendors.Get("mindtickle").RequiredScope(type) == EventCatalogue.ScimWriteScope);
        Assert.Null(WebhookVendors.Get("twinmind").RequiredScope(type));
    }

    [Fact]
    public void WithoutAudio_DropsAudioFieldsAtAnyDepth_KeepsTheRest()
    {
        var payload = JsonDocument.Parse("""
            {"id":"t1","audio":"AAAA","data":{"transcript":"hi","audio_url":"https://x/a.mp3","recording_url":"https://x/r",
             "AudioFormat":"wav","participants":[{"name":"Jane","screenRecording":"r.mp4"}],"nested":{"raw_audio_b64":"Zm9v"}}}
            """).RootElement;
        Assert.True(EventCatalogue.ContainsAudio(payload));

        var stripped = JsonNode.Parse(EventCatalogue.WithoutAudio(payload))!;

        Assert.False(EventCatalogue.ContainsAudio(JsonDocument.Parse(stripped.ToJsonString()).RootElement));
        Assert.Equal(
            """{"id":"t1","data":{"transcript":"hi","participants":[{"name":"Jane"}],"nested":{}}}""",
            stripped.ToJsonString());
    }

    [Fact]
    public void ContainsAudio_NameSpelledWithEscapes_IsStillFound()
    {
        var payload = JsonDocument.Parse("""{"data":{"\u0061udio_url":"https://x/a.mp3","transcript":"hi"}}""").RootElement;

        Assert.True(EventCatalogue.ContainsAudio(payload));
        Assert.Equal("""{"data":{"transcript":"hi"}}""", System.Text.Encoding.UTF8.GetString(EventCatalogue.WithoutAudio(payload)));
    }

    [Theory]
    [InlineData("\"   \"")]
    [InlineData("\"\"")]
    public void Validate_BlankTranscript_NamesIt(string transcript)
    {
        var json = $$$"""{"id":"t1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":{{{transcript}}}}}""";

        Assert.Equal("data.transcript", Validate("twinmind", JsonNode.Parse(json)!));
    }
}
