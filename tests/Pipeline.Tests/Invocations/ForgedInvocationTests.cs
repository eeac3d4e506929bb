using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Events;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Invocations;

/// <summary>
/// Issue 17: the invocation routes answer the Functions host only. A forged WriteAudit (a backdated
/// row), EncryptTranscript (a transcript the API would serve) or RetentionPurge is refused and leaves nothing.
/// </summary>
public sealed class ForgedInvocationTests(AzuriteFixture azurite)
{
    private static (string Tenant, PipelineEvent Event, string Payload) Forgery()
    {
        var tenant = Secrets.NewTenant();
        var data = JsonSerializer.SerializeToElement(new { id = "k-1", type = "transcript.completed", data = new { transcript_id = "tr-forged", transcript = "forged words" } });
        var pipelineEvent = new PipelineEvent(
            EventIds.Derive("twinmind", tenant, "k-1"), "twinmind", tenant, "transcript.completed", "k-1",
            DateTimeOffset.UtcNow.AddDays(-30), HasTranscript: true, data);
        var body = Convert.ToBase64String(EventSerializer.Serialize(pipelineEvent));
        return (tenant, pipelineEvent, $$$"""{"Data":{"message":"{{{body}}}"},"Metadata":{"MessageId":"\"{{{pipelineEvent.EventId}}}\"","DeliveryCount":"1"}}""");
    }

    private static Dictionary<string, string?> Tenant(string tenant, Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings[$"Pipeline:Tenants:{tenant}:Vendors:twinmind:Secrets:0"] = Secrets.NewSecret();
        return settings;
    }

    [Theory]
    [InlineData("WriteAudit")]
    [InlineData("EncryptTranscript")]
    [InlineData("RetentionPurge")]
    public async Task Post_LocalMode_InvocationRoutesDoNotExistEvenWithTheHostsHeaders(string function)
    {
        var (tenant, _, payload) = Forgery();
        await using var host = await TestHost.StartAsync(azurite, Tenant(tenant));

        using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation(function, payload), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await AssertNothingWrittenAsync(host, tenant);
    }

    public static TheoryData<string, string> NotTheHost => new()
    {
        { "WriteAudit", "no host headers" },
        { "EncryptTranscript", "no host headers" },
        { "WriteAudit", "proxied: forwarded for a client" },
        { "WriteAudit", "invocation id twice" },
        { "WriteAudit", "invocation id not a GUID" },
        { "WriteAudit", "another user agent" },
        { "EncryptTranscript", "proxied: under /api" },
    };

    [Theory]
    [MemberData(nameof(NotTheHost))]
    public async Task Post_UnderTheHost_RequestNotShapedLikeTheHostsInvocation_Is404AndWritesNothing(string function, string shape)
    {
        var (tenant, _, payload) = Forgery();
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost(Tenant(tenant)));
        var request = FunctionsHostRequests.Invocation(function, payload);
        switch (shape)
        {
            case "no host headers":
                request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/{function}", UriKind.Relative)) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
                break;
            case "proxied: forwarded for a client":
                request.Headers.Add("X-Forwarded-For", "198.51.100.7:51234");
                break;
            case "invocation id twice":
                request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
                break;
            case "invocation id not a GUID":
                request.Headers.Remove("X-Azure-Functions-InvocationId");
                request.Headers.Add("X-Azure-Functions-InvocationId", "1");
                break;
            case "another user agent":
                request.Headers.Remove("User-Agent");
                request.Headers.TryAddWithoutValidation("User-Agent", "curl/8.5.0");
                break;
            default:
                request.RequestUri = new Uri($"/api/{function}", UriKind.Relative);
                break;
        }

        using (request)
        using (var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await AssertNothingWrittenAsync(host, tenant);
    }

    [Fact]
    public async Task Post_UnderTheHost_TheHostsOwnInvocation_IsServed()
    {
        var (tenant, pipelineEvent, payload) = Forgery();
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost(Tenant(tenant)));

        using var response = await host.Client.SendAsync(FunctionsHostRequests.Invocation("EncryptTranscript", payload), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rows = await AuditRows.ForTenantAsync(azurite, tenant);
        Assert.Contains(rows, r => r.GetString("EventId") == pipelineEvent.EventId);
    }

    private async Task AssertNothingWrittenAsync(TestHost host, string tenant)
    {
        Assert.Empty(await AuditRows.ForTenantAsync(azurite, tenant));
        Assert.Null(await host.Services.GetRequiredService<TranscriptTableStore>().ReadAsync(tenant, "tr-forged", TestContext.Current.CancellationToken));
    }
}
