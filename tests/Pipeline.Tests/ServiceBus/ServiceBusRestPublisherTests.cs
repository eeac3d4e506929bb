using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Events;

namespace Pipeline.Tests.ServiceBus;

public sealed class ServiceBusRestPublisherTests : IAsyncLifetime
{
    private const string Topic = "pipeline-events";
    private const int MaxRetries = 3;

    private LoopbackServiceBus _bus = null!;

    public async ValueTask InitializeAsync() => _bus = await LoopbackServiceBus.StartAsync();

    public async ValueTask DisposeAsync() => await _bus.DisposeAsync();

    [Fact]
    public async Task PublishAsync_EventWithTranscript_PostsDocumentedSendRequestAnd201Completes()
    {
        var credential = new RecordingTokenCredential(LoopbackServiceBus.AcceptedToken);
        var message = Message(hasTranscript: true);

        await Publisher(credential).PublishAsync(message, TestContext.Current.CancellationToken);

        var received = Assert.Single(_bus.Received);
        Assert.Equal(Topic, received.Topic);
        Assert.Equal("application/json", received.ContentType);
        Assert.Equal(message.Body.ToArray(), received.Body);
        Assert.Equal(message.MessageId, received.BrokerProperties["MessageId"]);
        Assert.Equal("corr-1", received.BrokerProperties["CorrelationId"]);
        Assert.Equal("acme", received.Properties["tenant"]);
        Assert.Equal("mindtickle", received.Properties["vendor"]);
        Assert.Equal("meeting.completed", received.Properties["eventType"]);
        Assert.Equal(true, received.Properties["hasTranscript"]);
        Assert.True(received.MatchesTranscriptsFilter);
        Assert.Equal(1, _bus.Attempts);
        var scopes = Assert.Single(credential.RequestedScopes);
        Assert.Equal(["https://servicebus.azure.net/.default"], scopes);
    }

    [Fact]
    public async Task PublishAsync_EventWithoutTranscript_SendsBooleanFalseThatTheFilterSkips()
    {
        await Publisher().PublishAsync(Message(hasTranscript: false), TestContext.Current.CancellationToken);

        var received = Assert.Single(_bus.Received);
        Assert.Equal(false, received.Properties["hasTranscript"]);
        Assert.False(received.MatchesTranscriptsFilter);
    }

    [Fact]
    public async Task PublishAsync_TokenRejected_Throws401WithoutRetrying()
    {
        var publisher = Publisher(new RecordingTokenCredential("not-the-token"));

        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => publisher.PublishAsync(Message(), TestContext.Current.CancellationToken));

        Assert.Equal(401, error.Status);
        Assert.Equal("401", error.ErrorCode);
        Assert.Equal(1, _bus.Attempts);
        Assert.Empty(_bus.Received);
    }

    [Fact]
    public async Task PublishAsync_BodyOverTopicLimit_Throws403WithBrokerDetailButNeverTheBody()
    {
        _bus.MaxMessageBytes = 1024;
        const string marker = "SECRET-TRANSCRIPT-TEXT";
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { text = string.Concat(Enumerable.Repeat(marker, 100)) }));
        var message = Message() with { Body = body };

        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => Publisher().PublishAsync(message, TestContext.Current.CancellationToken));

        Assert.Equal(403, error.Status);
        Assert.Equal("403", error.ErrorCode);
        Assert.Contains("exceeds the limit", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(marker, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, _bus.Attempts);
    }

    [Fact]
    public async Task PublishAsync_TopicDoesNotExist_Throws410()
    {
        var publisher = new ServiceBusRestPublisher(_bus.Endpoint, "no-such-topic", Credential(), ClientOptions());

        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => publisher.PublishAsync(Message(), TestContext.Current.CancellationToken));

        Assert.Equal(410, error.Status);
        Assert.Equal("410", error.ErrorCode);
        Assert.Contains("no-such-topic", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, _bus.Attempts);
    }

    [Theory]
    [InlineData(500, 1)]
    [InlineData(503, 2)]
    [InlineData(503, MaxRetries)]
    public async Task PublishAsync_TransientFailuresWithinRetryBudget_RetriesThenSucceeds(int status, int failures)
    {
        _bus.FailNext(status, failures);

        await Publisher().PublishAsync(Message(), TestContext.Current.CancellationToken);

        Assert.Equal(failures + 1, _bus.Attempts);
        Assert.Single(_bus.Received);
    }

    [Fact]
    public async Task PublishAsync_Persistent503_ThrowsAfterEveryRetryIsSpent()
    {
        _bus.FailNext(503, 100);

        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => Publisher().PublishAsync(Message(), TestContext.Current.CancellationToken));

        Assert.Equal(503, error.Status);
        Assert.Equal("503", error.ErrorCode);
        Assert.Equal(MaxRetries + 1, _bus.Attempts);
        Assert.Empty(_bus.Received);
    }

    [Fact]
    public async Task PublishAsync_MessageIdOverBrokerLimit_Throws400WithoutRetrying()
    {
        var message = Message() with { MessageId = new string('m', 129) };

        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => Publisher().PublishAsync(message, TestContext.Current.CancellationToken));

        Assert.Equal(400, error.Status);
        Assert.Equal(1, _bus.Attempts);
        Assert.Empty(_bus.Received);
    }

    [Fact]
    public async Task PublishAsync_NamespaceUnreachable_ThrowsRequestFailedWithStatusZero()
    {
        // The webhook ingress answers 503 on RequestFailedException; Azure.Core alone would throw an AggregateException here.
        var publisher = Publisher();
        await _bus.DisposeAsync();

        var error = await Assert.ThrowsAsync<RequestFailedException>(
            () => publisher.PublishAsync(Message(), TestContext.Current.CancellationToken));

        Assert.Equal(0, error.Status);
        var tries = Assert.IsType<AggregateException>(error.InnerException);
        Assert.Equal(MaxRetries + 1, tries.InnerExceptions.Count);
    }

    [Fact]
    public async Task PublishAsync_PropertyValueWithCrLf_IsEncodedIntoOneHeaderNotInjected()
    {
        var hostile = "acme\r\nInjected: yes\r\n\r\nbody";
        var message = Message() with
        {
            Properties = new Dictionary<string, object>(StringComparer.Ordinal) { ["tenant"] = hostile, ["hasTranscript"] = false },
        };

        await Publisher().PublishAsync(message, TestContext.Current.CancellationToken);

        var received = Assert.Single(_bus.Received);
        Assert.Equal(hostile, received.Properties["tenant"]);
        Assert.False(received.Properties.ContainsKey("Injected"));
        Assert.Equal(message.Body.ToArray(), received.Body);
    }

    [Fact]
    public async Task PublishAsync_UnsupportedPropertyType_ThrowsBeforeSending()
    {
        var message = Message() with { Properties = new Dictionary<string, object>(StringComparer.Ordinal) { ["count"] = 3 } };

        await Assert.ThrowsAsync<ArgumentException>(() => Publisher().PublishAsync(message, TestContext.Current.CancellationToken));

        Assert.Equal(0, _bus.Attempts);
    }

    [Theory]
    [InlineData("Authorization")]
    [InlineData("brokerproperties")]
    [InlineData("x-ms-retrypolicy")]
    [InlineData("bad name")]
    [InlineData("bad\r\nname")]
    public async Task PublishAsync_PropertyNameNotASafeHeader_ThrowsBeforeSending(string name)
    {
        var message = Message() with { Properties = new Dictionary<string, object>(StringComparer.Ordinal) { [name] = "x" } };

        await Assert.ThrowsAsync<ArgumentException>(() => Publisher().PublishAsync(message, TestContext.Current.CancellationToken));

        Assert.Equal(0, _bus.Attempts);
    }

    [Fact]
    public async Task LoopbackServer_SendWithoutAuthorization_Answers401()
    {
        // The fake must refuse what Service Bus refuses, or the tests above would prove nothing about auth.
        var pipeline = HttpPipelineBuilder.Build(ClientOptions());
        using var request = pipeline.CreateMessage();
        request.Request.Method = RequestMethod.Post;
        request.Request.Uri.Reset(new Uri(_bus.Endpoint, $"{Topic}/messages"));
        request.Request.Content = RequestContent.Create("{}"u8.ToArray());

        await pipeline.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(401, request.Response.Status);
        Assert.Empty(_bus.Received);
    }

    private ServiceBusRestPublisher Publisher(TokenCredential? credential = null) =>
        new(_bus.Endpoint, Topic, credential ?? Credential(), ClientOptions());

    private static RecordingTokenCredential Credential() => new(LoopbackServiceBus.AcceptedToken);

    private ServiceBusRestClientOptions ClientOptions() => _bus.ClientOptions(MaxRetries);

    private static BusMessage Message(bool hasTranscript = true)
    {
        var pipelineEvent = new PipelineEvent(
            EventIds.Derive("mindtickle", "acme", "e-1"),
            "mindtickle",
            "acme",
            "meeting.completed",
            "e-1",
            DateTimeOffset.FromUnixTimeSeconds(1_790_000_000),
            hasTranscript,
            JsonDocument.Parse("""{"id":"e-1"}""").RootElement);
        return BusMessage.ForEvent(pipelineEvent, "corr-1");
    }
}
