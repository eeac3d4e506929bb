using System.Text.Json;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Events;

namespace Pipeline.Tests.ServiceBus;

/// <summary>What the publisher hands the SDK, and how it reads the SDK's failures.</summary>
public sealed class ServiceBusEventPublisherTests
{
    private readonly MockedSender _sender = new();

    private static PipelineEvent Event(bool hasTranscript) => new(
        EventId: "evt_0123456789abcdef0123456789abcdef",
        Vendor: "twinmind",
        Tenant: "acme",
        EventType: "transcript.completed",
        EventKey: "tm-1",
        ReceivedAt: new DateTimeOffset(2026, 12, 2, 1, 0, 0, TimeSpan.Zero),
        HasTranscript: hasTranscript,
        Payload: JsonDocument.Parse("""{"id":"tm-1"}""").RootElement);

    private Task PublishAsync(bool hasTranscript = false) =>
        new ServiceBusEventPublisher(_sender.Object).PublishAsync(BusMessage.ForEvent(Event(hasTranscript), "c"), TestContext.Current.CancellationToken);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PublishAsync_Event_SendsOneMessageWithIdsContentTypeBodyAndTypedProperties(bool hasTranscript)
    {
        var message = BusMessage.ForEvent(Event(hasTranscript), "00-trace-correlation");

        await new ServiceBusEventPublisher(_sender.Object).PublishAsync(message, TestContext.Current.CancellationToken);

        var sent = Assert.Single(_sender.Sent);
        Assert.Equal("evt_0123456789abcdef0123456789abcdef", sent.MessageId);
        Assert.Equal("00-trace-correlation", sent.CorrelationId);
        Assert.Equal(EventSerializer.JsonContentType, sent.ContentType);
        Assert.Equal(message.Body.ToArray(), sent.Body.ToArray());
        Assert.Equal("acme", Assert.IsType<string>(sent.ApplicationProperties["tenant"]));
        Assert.Equal("twinmind", Assert.IsType<string>(sent.ApplicationProperties["vendor"]));
        Assert.Equal("transcript.completed", Assert.IsType<string>(sent.ApplicationProperties["eventType"]));
        // A boolean, not the text "true": the transcripts subscription filters on hasTranscript = TRUE.
        Assert.Equal(hasTranscript, Assert.IsType<bool>(sent.ApplicationProperties["hasTranscript"]));
        Assert.Equal(4, sent.ApplicationProperties.Count);
    }

    [Fact]
    public async Task PublishAsync_BatchRefusesTheMessage_ThrowsEventTooLargeAndSendsNothing()
    {
        _sender.FitsInBatch = _ => false;

        await Assert.ThrowsAsync<EventTooLargeException>(() => PublishAsync(hasTranscript: true));

        _sender.VerifyNothingSent();
    }

    [Fact]
    public async Task PublishAsync_ServiceSaysMessageSizeExceeded_ThrowsEventTooLarge()
    {
        _sender.FailSendWith = new ServiceBusException("too big", ServiceBusFailureReason.MessageSizeExceeded);

        var thrown = await Assert.ThrowsAsync<EventTooLargeException>(() => PublishAsync());

        Assert.IsType<ServiceBusException>(thrown.InnerException);
    }

    [Theory]
    [InlineData(ServiceBusFailureReason.ServiceBusy)]
    [InlineData(ServiceBusFailureReason.ServiceTimeout)]
    [InlineData(ServiceBusFailureReason.ServiceCommunicationProblem)]
    [InlineData(ServiceBusFailureReason.QuotaExceeded)]
    [InlineData(ServiceBusFailureReason.MessagingEntityNotFound)]
    [InlineData(ServiceBusFailureReason.MessagingEntityDisabled)]
    [InlineData(ServiceBusFailureReason.GeneralError)]
    public async Task PublishAsync_ServiceBusFailureOtherThanSize_ThrowsBrokerUnavailable(ServiceBusFailureReason reason)
    {
        _sender.FailSendWith = new ServiceBusException("no", reason);

        var thrown = await Assert.ThrowsAsync<BrokerUnavailableException>(() => PublishAsync());

        Assert.Contains(reason.ToString(), thrown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_AccessRefusedNoTokenOrTimeout_ThrowsBrokerUnavailable()
    {
        // A role assignment still propagating, or the identity endpoint not answering: not the event's fault.
        foreach (var failure in new Exception[] { new UnauthorizedAccessException("no role yet"), new CredentialUnavailableException("no identity endpoint"), new TimeoutException() })
        {
            _sender.FailSendWith = failure;

            var thrown = await Assert.ThrowsAsync<BrokerUnavailableException>(() => PublishAsync());

            Assert.Same(failure, thrown.InnerException);
        }
    }

    [Fact]
    public async Task PublishAsync_CallerCancels_PropagatesTheCancellation()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        _sender.FailSendWith = new OperationCanceledException(cancelled.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new ServiceBusEventPublisher(_sender.Object).PublishAsync(BusMessage.ForEvent(Event(false), "c"), cancelled.Token));
    }

    [Fact]
    public void ToServiceBusMessage_PropertyNeitherStringNorBool_Throws()
    {
        var message = new BusMessage("m", "c", "application/json", new byte[] { 1 }, new Dictionary<string, object> { ["count"] = 3 });

        Assert.Throws<ArgumentException>(() => ServiceBusEventPublisher.ToServiceBusMessage(message));
    }

    [Theory]
    [InlineData("contoso.servicebus.windows.net")]
    [InlineData(" contoso.servicebus.windows.net ")]
    [InlineData("https://contoso.servicebus.windows.net:443/")]
    [InlineData("sb://contoso.servicebus.windows.net/")]
    public void FullyQualifiedNamespace_HostOrUri_GivesTheHostName(string configured) =>
        Assert.Equal("contoso.servicebus.windows.net", ServiceBusEventPublisher.FullyQualifiedNamespace(configured));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ftp://contoso.servicebus.windows.net")]
    public void FullyQualifiedNamespace_MissingOrNotServiceBus_Throws(string? configured) =>
        Assert.Throws<InvalidOperationException>(() => ServiceBusEventPublisher.FullyQualifiedNamespace(configured));

    [Fact]
    public void IngressRetry_Always_FewShortTriesSoTheVendorIsAnsweredInTime()
    {
        var retry = ServiceBusEventPublisher.IngressRetry;

        // Worst case: three tries of 10 s plus two back-offs of at most 4 s.
        Assert.Equal(ServiceBusRetryMode.Exponential, retry.Mode);
        Assert.True((retry.MaxRetries + 1) * retry.TryTimeout + retry.MaxRetries * retry.MaxDelay <= TimeSpan.FromSeconds(40));
    }
}
