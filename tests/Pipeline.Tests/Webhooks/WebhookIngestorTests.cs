using System.Text;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks;

public sealed class WebhookIngestorTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_790_000_000);
    private readonly string _acmeMindTickle = NewSecret("mindtickle");
    private readonly string _globexMindTickle = NewSecret("mindtickle");
    private readonly string _acmeTwinMind = NewSecret("twinmind");
    private readonly string _acmeStandard = NewSecret("standard");
    private readonly WebhookIngestor _ingestor;

    public WebhookIngestorTests()
    {
        var options = new PipelineOptions();
        options.Tenants["acme"] = new TenantOptions
        {
            Vendors =
            {
                ["mindtickle"] = new VendorOptions { Secrets = [_acmeMindTickle], Scopes = [EventCatalogue.ScimWriteScope] },
                ["twinmind"] = new VendorOptions { Secrets = [_acmeTwinMind] },
                ["standard"] = new VendorOptions { Secrets = [_acmeStandard] },
            },
        };
        options.Tenants["globex"] = new TenantOptions { Vendors = { ["mindtickle"] = new VendorOptions { Secrets = [_globexMindTickle] } } };
        _ingestor = new WebhookIngestor(options, new WebhookOptions(), WebhookVendors.All, new FakeTimeProvider(Now));
    }

    private IngressResult Ingest(string vendor, string tenant, string secret, string body, params (string, string)[] extraHeaders)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var resolved = _ingestor.Resolve(WebhookVendors.Get(vendor), tenant) ?? throw new InvalidOperationException("tenant not resolved");
        return _ingestor.Ingest(resolved, Lookup([.. HeadersFor(vendor, secret, bytes, Now, "msg_77"), .. extraHeaders]), bytes);
    }

    [Theory]
    [InlineData("mindtickle", "nobody")]
    [InlineData("twinmind", "globex")]
    [InlineData("standard", "globex")]
    public void Resolve_TenantUnknownOrVendorNotAllowed_IsNull(string vendor, string tenant)
    {
        Assert.Null(_ingestor.Resolve(WebhookVendors.Get(vendor), tenant));
    }

    [Fact]
    public void Resolve_TenantInAnotherCase_FindsIt()
    {
        Assert.Equal("acme", _ingestor.Resolve(WebhookVendors.Get("mindtickle"), "ACME")?.Id);
    }

    [Fact]
    public void Ingest_SignedWithAnotherTenantsSecret_IsBadSignature()
    {
        var result = Ingest("mindtickle", "acme", _globexMindTickle, """{"event_type":"course.completed","data":{"score":1}}""");

        Assert.Equal(IngressRejection.BadSignature, result.Rejection);
        Assert.False(result.IsAccepted);
    }

    [Theory]
    [InlineData("globex", false)]
    [InlineData("acme", true)]
    [InlineData("ACME", true)]
    public void Ingest_CompanyIdHeader_MustMatchTenant(string companyId, bool accepted)
    {
        var result = Ingest("mindtickle", "acme", _acmeMindTickle, """{"event_type":"course.completed","data":{"score":1}}""", ("Company-Id", companyId));

        Assert.Equal(accepted, result.IsAccepted);
        if (!accepted)
        {
            Assert.Equal(IngressRejection.CompanyMismatch, result.Rejection);
        }
    }

    [Fact]
    public void Ingest_ScimEventWithoutScope_IsMissingScope()
    {
        var body = EventCatalogueTests.UserEvent().ToJsonString();

        Assert.Equal(IngressRejection.MissingScope, Ingest("mindtickle", "globex", _globexMindTickle, body).Rejection);
        Assert.True(Ingest("mindtickle", "acme", _acmeMindTickle, body).IsAccepted);
    }

    [Theory]
    [InlineData("USER.created")]
    [InlineData("User.Created")]
    [InlineData(" user.created")]
    [InlineData("user.created ")]
    [InlineData("user.created\t")]
    [InlineData("user. created")]
    [InlineData("user.created\u200B")]
    public void Ingest_CaseOrWhitespaceVariantOfAScimType_IsSchemaInvalidForEveryTenant(string variant)
    {
        // Neither past the scim:write gate (globex has no scope) nor past SCIM validation (the user is invalid).
        var body = EventCatalogueTests.UserEvent(variant);
        body["data"]!["user"]!["emails"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["value"] = "not-an-email" });

        foreach (var (tenant, secret) in new[] { ("globex", _globexMindTickle), ("acme", _acmeMindTickle) })
        {
            var result = Ingest("mindtickle", tenant, secret, body.ToJsonString());

            Assert.Equal((IngressRejection.SchemaInvalid, "event_type"), (result.Rejection, result.Field));
        }
    }

    [Theory]
    [InlineData("twinmind", """{"id":"t","type":"Transcript.Completed","data":{"transcript_id":"a/b"}}""", "type")]
    [InlineData("mindtickle", """{"event_id":"e","event_type":"COURSE.COMPLETED","data":{}}""", "event_type")]
    public void Ingest_VariantOfAnyDeclaredType_IsSchemaInvalid(string vendor, string body, string field)
    {
        var secret = vendor == "twinmind" ? _acmeTwinMind : _acmeMindTickle;

        var result = Ingest(vendor, "acme", secret, body);

        Assert.Equal((IngressRejection.SchemaInvalid, field), (result.Rejection, result.Field));
    }

    [Fact]
    public void Ingest_UndeclaredTypeThatIsNoVariant_IsAGenericEvent()
    {
        var result = Ingest("mindtickle", "globex", _globexMindTickle, """{"event_id":"e9","event_type":"badge.earned","data":{"learner_name":"Jane"}}""");

        Assert.True(result.IsAccepted);
        Assert.Equal(("badge.earned", false), (result.Event!.EventType, result.Event.HasTranscript));
    }

    [Fact]
    public void Ingest_InvalidScimUser_IsSchemaInvalidWithFieldNotValue()
    {
        var payload = EventCatalogueTests.UserEvent();
        payload["data"]!["user"]!["userName"] = new string('x', 300);

        var result = Ingest("mindtickle", "acme", _acmeMindTickle, payload.ToJsonString());

        Assert.Equal(IngressRejection.SchemaInvalid, result.Rejection);
        Assert.Equal("data.user.userName", result.Field);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("""{"event_type":"a","event_type":"b"}""")]
    [InlineData("""{"event_type":"a",}""")]
    public void Ingest_NotOneJsonObject_IsMalformedJson(string body)
    {
        Assert.Equal(IngressRejection.MalformedJson, Ingest("mindtickle", "acme", _acmeMindTickle, body).Rejection);
    }

    [Fact]
    public void Ingest_TwinMindTranscriptWithAudio_DropsAudioAndFlagsTranscript()
    {
        var body = """{"id":"tm-1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":"Hi.","audio_url":"https://a/b.mp3","recording_url":"r","audio":"AAAA"}}""";

        var result = Ingest("twinmind", "acme", _acmeTwinMind, body);

        Assert.True(result.IsAccepted);
        Assert.True(result.Event.HasTranscript);
        var published = Encoding.UTF8.GetString(BusMessage.ForEvent(result.Event, "c").Body.Span);
        Assert.DoesNotContain("audio", published, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("recording", published, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("tr-1", published, StringComparison.Ordinal);
    }

    [Fact]
    public void Ingest_EventKeys_FollowTheVendorsIds()
    {
        var mindTickle = Ingest("mindtickle", "acme", _acmeMindTickle, """{"event_id":"mt-9","event_type":"x"}""").Event!;
        var twinMind = Ingest("twinmind", "acme", _acmeTwinMind, """{"id":"tm-9","type":"x"}""").Event!;
        var standard = Ingest("standard", "acme", _acmeStandard, """{"type":"x"}""").Event!;
        const string noId = """{"event_type":"x"}""";
        var hashed = Ingest("mindtickle", "acme", _acmeMindTickle, noId).Event!;

        Assert.Equal("mt-9", mindTickle.EventKey);
        Assert.Equal("tm-9", twinMind.EventKey);
        Assert.Equal("msg_77", standard.EventKey);
        Assert.Equal(EventIds.HashBody(Encoding.UTF8.GetBytes(noId)), hashed.EventKey);
        Assert.Equal(EventIds.Derive("mindtickle", "acme", "mt-9"), mindTickle.EventId);
        Assert.NotEqual(EventIds.Derive("twinmind", "acme", "mt-9"), mindTickle.EventId);
    }

    [Fact]
    public void Ingest_UnknownEventType_IsAcceptedAsGeneric()
    {
        var result = Ingest("mindtickle", "acme", _acmeMindTickle, """{"event_id":"1","event_type":"quiz.something_new","data":{"anything":true}}""");

        Assert.True(result.IsAccepted);
        Assert.Equal("quiz.something_new", result.Event.EventType);
    }

    [Fact]
    public void Ingest_EventTypeWithUnsafeText_IsRecordedAsUnknown()
    {
        var result = Ingest("mindtickle", "acme", _acmeMindTickle, """{"event_id":"1","event_type":"jane.doe@example.com says hi"}""");

        Assert.True(result.IsAccepted);
        Assert.Equal("unknown", result.Event.EventType);
    }
}
