using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Pipeline.Core.Events;
using Pipeline.Tests.Infrastructure;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks;

/// <summary>Every answer of SPEC §3.1, through the real handler over real HTTP.</summary>
public sealed class WebhookIngressHostTests(AzuriteFixture azurite)
{
    private const string CourseCompleted = """{"event_id":"e-1","event_type":"course.completed","data":{"score":97}}""";

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string slug)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("urn:pipeline:problem:webhook:" + slug, problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    [Theory]
    [InlineData("mindtickle", CourseCompleted)]
    [InlineData("twinmind", """{"id":"tm-1","type":"transcript.completed","data":{"transcript_id":"tr-1","transcript":"Hello.","audio_url":"https://a/b.mp3"}}""")]
    [InlineData("standard", """{"type":"invoice.paid","timestamp":"2026-11-22T10:00:00Z","data":{}}""")]
    public async Task Post_ValidSignedEvent_Is202WithEventIdAndPublished(string vendor, string body)
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendSignedAsync(vendor, body, id: $"msg_{Guid.NewGuid():N}");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var eventId = accepted.GetProperty("eventId").GetString();
        Assert.False(accepted.GetProperty("duplicate").GetBoolean());
        var message = Assert.Single(host.Publisher!.Published);
        Assert.Equal(eventId, message.MessageId);
        Assert.DoesNotContain("audio", Encoding.UTF8.GetString(message.Body.Span), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Post_UnknownVendor_Is404()
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendAsync(Signing.Json($"/api/webhooks/zoom/{host.Tenant}", "{}"u8.ToArray()));

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "unknown-vendor");
    }

    [Fact]
    public async Task Post_UnknownTenantOrVendorNotAllowed_Is403()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var body = Encoding.UTF8.GetBytes(CourseCompleted);

        using var unknown = await host.SendAsync(Request("mindtickle", "nobody-here", host.Secrets["mindtickle"], body, DateTimeOffset.UtcNow));
        using var disallowed = await host.SendAsync(Request("twinmind", host.OtherTenant, host.Secrets["twinmind"], body, DateTimeOffset.UtcNow));

        await AssertProblemAsync(unknown, HttpStatusCode.Forbidden, "tenant-not-allowed");
        await AssertProblemAsync(disallowed, HttpStatusCode.Forbidden, "tenant-not-allowed");
    }

    [Fact]
    public async Task Post_OtherTenantsSecret_Is401()
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendAsync(Request("mindtickle", host.Tenant, host.OtherSecret, Encoding.UTF8.GetBytes(CourseCompleted), DateTimeOffset.UtcNow));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "bad-signature");
        Assert.Empty(host.Publisher!.Published);
    }

    [Theory]
    [InlineData("Bearer not-a-jwt")]
    [InlineData("Bearer eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJBZG1pbiJdfQ.")]
    [InlineData("Basic Og==")]
    public async Task Post_GarbageAuthorizationHeader_IsJudgedBySignatureAlone(string authorization)
    {
        // Webhooks authenticate nothing but their signature: no JWT handler runs on the route, so a
        // caller's header neither turns a signed delivery into a 401 nor lets an unsigned one through.
        await using var host = await IngressHost.StartAsync(azurite);
        var body = Encoding.UTF8.GetBytes(CourseCompleted.Replace("e-1", $"e-{Guid.NewGuid():N}", StringComparison.Ordinal));
        var signed = Request("mindtickle", host.Tenant, host.Secrets["mindtickle"], body, DateTimeOffset.UtcNow);
        signed.Headers.TryAddWithoutValidation("Authorization", authorization);
        var forged = Request("mindtickle", host.Tenant, host.OtherSecret, body, DateTimeOffset.UtcNow);
        forged.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var accepted = await host.SendAsync(signed);
        using var refused = await host.SendAsync(forged);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Empty(accepted.Headers.WwwAuthenticate);
        await AssertProblemAsync(refused, HttpStatusCode.Unauthorized, "bad-signature");
        Assert.Empty(refused.Headers.WwwAuthenticate);
        Assert.Single(host.Publisher!.Published);
    }

    [Fact]
    public async Task Post_CompanyIdOfAnotherTenant_Is403()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var request = Request("mindtickle", host.Tenant, host.Secrets["mindtickle"], Encoding.UTF8.GetBytes(CourseCompleted), DateTimeOffset.UtcNow);
        request.Headers.Add("Company-Id", host.OtherTenant);

        using var response = await host.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "company-mismatch");
    }

    [Fact]
    public async Task Post_ScimEventWithoutScope_Is403()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var body = Encoding.UTF8.GetBytes(EventCatalogueTests.UserEvent().ToJsonString());

        using var response = await host.SendAsync(Request("mindtickle", host.OtherTenant, host.OtherSecret, body, DateTimeOffset.UtcNow));

        await AssertProblemAsync(response, HttpStatusCode.Forbidden, "missing-scope");
    }

    [Fact]
    public async Task Post_ScimEventWithScope_Is202()
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendSignedAsync("mindtickle", EventCatalogueTests.UserEvent().ToJsonString());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Post_MissingSignatureHeaders_Is400()
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendAsync(Signing.Json($"/api/webhooks/standard/{host.Tenant}", """{"type":"a"}"""u8.ToArray()));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "missing-headers");
    }

    [Fact]
    public async Task Post_MalformedJson_Is400()
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendSignedAsync("twinmind", """{"id":"x","type":""");

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed-json");
    }

    [Theory]
    [InlineData(-400)]
    [InlineData(400)]
    public async Task Post_TimestampOutsideTolerance_Is401(int skewSeconds)
    {
        await using var host = await IngressHost.StartAsync(azurite);

        using var response = await host.SendSignedAsync("standard", """{"type":"a"}""", at: DateTimeOffset.UtcNow.AddSeconds(skewSeconds));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "stale-timestamp");
    }

    [Fact]
    public async Task Post_WrongSignatureLength_Is401AndEchoesNothing()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var request = Signing.Json($"/api/webhooks/twinmind/{host.Tenant}", """{"id":"x","type":"a","secretive":"p4yl0ad"}"""u8.ToArray());
        request.Headers.Add("x-twinmind-signature", "sha256=abcdef0123");

        using var response = await host.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "bad-signature");
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("abcdef0123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("p4yl0ad", text, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Secrets["twinmind"], text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Post_NotJson_Is415(string? contentType)
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var request = Request("mindtickle", host.Tenant, host.Secrets["mindtickle"], Encoding.UTF8.GetBytes(CourseCompleted), DateTimeOffset.UtcNow);
        request.Content!.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);

        using var response = await host.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Post_BodyOverLimit_Is413WithOrWithoutContentLength(bool chunked)
    {
        await using var host = await IngressHost.StartAsync(azurite, new Dictionary<string, string?> { ["Pipeline:Webhooks:MaxBodyBytes"] = "2048" });
        var body = Encoding.UTF8.GetBytes($$"""{"event_type":"x","pad":"{{new string('a', 4096)}}"}""");
        var request = Request("mindtickle", host.Tenant, host.Secrets["mindtickle"], body, DateTimeOffset.UtcNow);
        if (chunked)
        {
            var content = new StreamContent(new MemoryStream(body));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Content = content;
            request.Headers.TransferEncodingChunked = true;
        }

        using var response = await host.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task Post_InvalidScimUser_Is422NamingFieldNotValue()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var payload = EventCatalogueTests.UserEvent();
        payload["data"]!["user"]!["emails"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["value"] = "jane.doe(at)example.com" });

        using var response = await host.SendSignedAsync("mindtickle", payload.ToJsonString());

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "schema-invalid");
        Assert.Equal("data.user.emails[0].value", problem.GetProperty("field").GetString());
        var text = problem.GetRawText();
        Assert.DoesNotContain("jane", text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(host.Publisher!.Published);
    }

    [Fact]
    public async Task Post_OverRateLimit_Is429WithRetryAfter()
    {
        await using var host = await IngressHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["Pipeline:Webhooks:RateLimit:PermitsPerSecond"] = "1",
            ["Pipeline:Webhooks:RateLimit:Burst"] = "2",
        });

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 4; i++)
        {
            var response = await host.SendSignedAsync("mindtickle", CourseCompleted);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited ??= response;
            }
        }

        Assert.Equal(HttpStatusCode.Accepted, statuses[0]);
        Assert.NotNull(limited);
        await AssertProblemAsync(limited, HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));

        // Another tenant has its own bucket.
        using var other = await host.SendAsync(Request("mindtickle", host.OtherTenant, host.OtherSecret, Encoding.UTF8.GetBytes(CourseCompleted), DateTimeOffset.UtcNow));
        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
    }

    [Fact]
    public async Task Post_BrokerUnavailable_Is503WithRetryAfterAndRetrySucceeds()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        host.Publisher!.FailWith = new BrokerUnavailableException("broker down");
        var id = $"msg_{Guid.NewGuid():N}";

        using var failed = await host.SendSignedAsync("standard", """{"type":"a"}""", id);

        await AssertProblemAsync(failed, HttpStatusCode.ServiceUnavailable, "broker-unavailable");
        Assert.True(failed.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        host.Publisher.FailWith = null;
        using var retried = await host.SendSignedAsync("standard", """{"type":"a"}""", id);

        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var body = await retried.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(body.GetProperty("duplicate").GetBoolean());
        Assert.Single(host.Publisher.Published);
    }

    [Fact]
    public async Task Post_BrokerRefusesEventAsTooLarge_Is413NotRetryable()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        host.Publisher!.FailWith = new EventTooLargeException();

        using var response = await host.SendSignedAsync("standard", """{"type":"a"}""", $"msg_{Guid.NewGuid():N}");

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "event-too-large");
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Post_TranscriptLargerThanALocalQueueMessage_IsNeither5xxNorLost()
    {
        // Local mode publishes to Azurite queues (64 KiB a message): a big transcript must either be
        // refused as too large, or be accepted and then really kept: audited and stored, through the
        // real Local mode dispatcher and consumers.
        await using var host = await IngressHost.StartAsync(azurite, new Dictionary<string, string?> { ["Pipeline:Webhooks:MaxBodyBytes"] = "1048576" }, realPublisher: true);
        var transcript = string.Concat(Enumerable.Repeat("Alice: let us review the quarterly numbers. ", 4000));
        var body = $$$"""{"id":"tm-big-{{{Guid.NewGuid():N}}}","type":"transcript.completed","data":{"transcript_id":"tr-big","consent":true,"transcript":"{{{transcript}}}"}}""";

        using var response = await host.SendSignedAsync("twinmind", body);

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.RequestEntityTooLarge });
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            var eventId = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("eventId").GetString();
            var rows = await Eventually.GetAsync(
                async () =>
                {
                    var found = await AuditRows.ForTenantAsync(azurite, host.Tenant);
                    return found.Count(r => r.GetString("EventId") == eventId
                        && r.GetString("Action") is Pipeline.Core.Audit.AuditActions.EventAccepted or Pipeline.Core.Audit.AuditActions.TranscriptStored) == 2 ? found : null;
                },
                "the event.accepted and transcript.stored rows of the accepted transcript");
            Assert.DoesNotContain(rows, r => r.GetString("Action") == Pipeline.Core.Audit.AuditActions.TranscriptRejected);
        }
    }
}
