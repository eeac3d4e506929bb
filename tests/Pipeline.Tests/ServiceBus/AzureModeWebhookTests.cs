using System.Net;
using System.Net.Http.Json;
using System.Text;
using Azure.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Events;
using Pipeline.Host;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.ServiceBus;

/// <summary>
/// The handler in Azure mode, over real HTTP, publishing through the registered Service Bus REST
/// publisher to the loopback namespace: only the credential and the transport (to trust the loopback
/// certificate) are the test's own.
/// </summary>
public sealed class AzureModeWebhookTests : IAsyncLifetime
{
    private const string Topic = "pipeline-events";

    private readonly string _tenant = Secrets.NewTenant();
    private readonly string _secret = Secrets.NewSecret();
    private readonly RecordingTokenCredential _credential = new(LoopbackServiceBus.AcceptedToken);
    private LoopbackServiceBus _bus = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async ValueTask InitializeAsync()
    {
        _bus = await LoopbackServiceBus.StartAsync();
        _app = HandlerApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pipeline:Mode"] = "Azure",
                ["Pipeline:ServiceBus:FullyQualifiedNamespace"] = _bus.Endpoint.GetLeftPart(UriPartial.Authority),
                ["Pipeline:ServiceBus:TopicName"] = Topic,
                ["Pipeline:KeyVault:KeyId"] = "https://contoso.vault.azure.net/keys/transcripts",
                ["Pipeline:Storage:TableServiceUri"] = "https://contoso.table.core.windows.net",
                ["Pipeline:Auth:Authority"] = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0",
                ["Pipeline:Auth:Audience"] = "api://pipeline",
                ["Pipeline:Audit:PseudonymKey"] = TestHost.PseudonymKey,
                [$"Pipeline:Tenants:{_tenant}:Vendors:mindtickle:Secrets:0"] = _secret,
            });
            builder.Services.AddSingleton<TokenCredential>(_credential);
            builder.Services.AddSingleton(_bus.ClientOptions(maxRetries: 2));
        });
        await _app.StartAsync(TestContext.Current.CancellationToken);
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _bus.DisposeAsync();
    }

    [Fact]
    public async Task SignedWebhook_AzureMode_IsPublishedToTheTopicAndAnswered202()
    {
        using var response = await _client.SendAsync(SignedWebhook(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<AcceptedBody>(TestContext.Current.CancellationToken);
        var received = Assert.Single(_bus.Received);
        Assert.Equal(accepted?.EventId, received.BrokerProperties["MessageId"]);
        Assert.Equal(_tenant, received.Properties["tenant"]);
        Assert.Equal("mindtickle", received.Properties["vendor"]);
        Assert.Equal("course.completed", received.Properties["eventType"]);
        Assert.Equal(false, received.Properties["hasTranscript"]);
        var published = EventSerializer.TryDeserialize(received.Body);
        Assert.Equal(accepted?.EventId, published?.EventId);
        // Storage is asked too: the ingress's deduplication memory lives in Table Storage.
        Assert.Contains(_credential.RequestedScopes, scopes => scopes.SequenceEqual([ServiceBusRestPublisher.Scope]));
    }

    [Fact]
    public async Task SignedWebhook_BrokerKeepsAnswering503_Answers503WithRetryAfter()
    {
        _bus.FailNext(503, 100);

        using var response = await _client.SendAsync(SignedWebhook(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(3, _bus.Attempts);
        Assert.Empty(_bus.Received);
    }

    [Fact]
    public async Task SignedWebhook_NamespaceUnreachable_Answers503NotA500()
    {
        await _bus.DisposeAsync();

        using var response = await _client.SendAsync(SignedWebhook(), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    private HttpRequestMessage SignedWebhook() => Signing.MindTickle(
        _tenant,
        _secret,
        Encoding.UTF8.GetBytes("""{"event_id":"evt-azure-1","event_type":"course.completed","data":{"score":97}}"""),
        DateTimeOffset.UtcNow);

    private sealed record AcceptedBody(string EventId, bool Duplicate);
}
