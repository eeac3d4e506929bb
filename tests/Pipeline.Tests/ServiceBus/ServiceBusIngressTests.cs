using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Events;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.ServiceBus;

/// <summary>
/// The real handler over real HTTP (deduplication memory on Azurite) publishing through
/// <see cref="ServiceBusEventPublisher"/> over a mocked <see cref="ServiceBusSender"/>: how the SDK's
/// answers reach the vendor.
/// </summary>
public sealed class ServiceBusIngressTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _tenant = Secrets.NewTenant();
    private readonly string _secret = Secrets.NewSecret();
    private readonly MockedSender _sender = new();
    private TestHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await TestHost.StartAsync(
            azurite,
            new Dictionary<string, string?> { [$"Pipeline:Tenants:{_tenant}:Vendors:mindtickle:Secrets:0"] = _secret },
            services => services.AddSingleton<IEventPublisher>(new ServiceBusEventPublisher(_sender.Object)));

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Post_SignedWebhook_SendsTheEventThroughTheSdkAndAnswers202()
    {
        using var response = await SendAsync("evt-sdk-1");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var sent = Assert.Single(_sender.Sent);
        Assert.Equal(body.GetProperty("eventId").GetString(), sent.MessageId);
        Assert.False(Assert.IsType<bool>(sent.ApplicationProperties["hasTranscript"]));
        Assert.Equal(body.GetProperty("eventId").GetString(), EventSerializer.TryDeserialize(sent.Body.ToArray())?.EventId);
    }

    [Fact]
    public async Task Post_EventDoesNotFitTheBatch_Answers413EventTooLargeAndTheRetryIsPublished()
    {
        _sender.FitsInBatch = _ => false;

        using var refused = await SendAsync("evt-sdk-big");

        await AssertProblemAsync(refused, HttpStatusCode.RequestEntityTooLarge, "event-too-large");
        Assert.Null(refused.Headers.RetryAfter);
        _sender.VerifyNothingSent();
        await AssertRetryIsPublishedAsync("evt-sdk-big");
    }

    [Fact]
    public async Task Post_ServiceSaysMessageSizeExceeded_Answers413EventTooLarge()
    {
        _sender.FailSendWith = new ServiceBusException("too big", ServiceBusFailureReason.MessageSizeExceeded);

        using var refused = await SendAsync("evt-sdk-big-2");

        await AssertProblemAsync(refused, HttpStatusCode.RequestEntityTooLarge, "event-too-large");
        Assert.Null(refused.Headers.RetryAfter);
        await AssertRetryIsPublishedAsync("evt-sdk-big-2");
    }

    [Theory]
    [InlineData(ServiceBusFailureReason.ServiceBusy)]
    [InlineData(ServiceBusFailureReason.ServiceTimeout)]
    [InlineData(ServiceBusFailureReason.ServiceCommunicationProblem)]
    public async Task Post_TransientServiceBusFailure_Answers503WithRetryAfterAndTheRetryIsPublished(ServiceBusFailureReason reason)
    {
        _sender.FailSendWith = new ServiceBusException("not now", reason);

        using var failed = await SendAsync("evt-sdk-busy");

        await AssertProblemAsync(failed, HttpStatusCode.ServiceUnavailable, "broker-unavailable");
        Assert.True(failed.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await AssertRetryIsPublishedAsync("evt-sdk-busy");
    }

    [Fact]
    public async Task Post_AccessNotYetGranted_Answers503WithRetryAfter()
    {
        _sender.FailSendWith = new UnauthorizedAccessException("role assignment still propagating");

        using var failed = await SendAsync("evt-sdk-unauthorised");

        await AssertProblemAsync(failed, HttpStatusCode.ServiceUnavailable, "broker-unavailable");
        Assert.True(failed.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    private Task<HttpResponseMessage> SendAsync(string eventId) => _host.Client.SendAsync(
        Signing.MindTickle(_tenant, _secret, Encoding.UTF8.GetBytes($$$"""{"event_id":"{{{eventId}}}","event_type":"course.completed","data":{"score":97}}"""), DateTimeOffset.UtcNow),
        TestContext.Current.CancellationToken);

    /// <summary>The broker now takes the event: the vendor's retry is published, not answered as a duplicate.</summary>
    private async Task AssertRetryIsPublishedAsync(string eventId)
    {
        _sender.FitsInBatch = _ => true;
        _sender.FailSendWith = null;

        using var retried = await SendAsync(eventId);

        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        var body = await retried.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.False(body.GetProperty("duplicate").GetBoolean());
        Assert.Single(_sender.Sent);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string slug)
    {
        Assert.Equal(status, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal("urn:pipeline:problem:webhook:" + slug, problem.GetProperty("type").GetString());
    }
}
