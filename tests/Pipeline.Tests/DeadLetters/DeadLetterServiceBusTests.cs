using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Events;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.ServiceBus;

namespace Pipeline.Tests.DeadLetters;

/// <summary>
/// Azure mode's dead letters with the SDK's test doubles: <see cref="ServiceBusModelFactory"/> dead letters in a
/// Moq'd dead-letter <see cref="ServiceBusReceiver"/>, replayed through the real publisher over a Moq'd sender.
/// </summary>
public sealed class DeadLetterServiceBusTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 3, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly MockedSender _sender = new();
    private readonly List<string> _calls = [];

    [Fact]
    public async Task Peek_DeadLetter_MapsMetadataAndDropsBrokerProperties()
    {
        var message = DeadLettered("evt_1", sequenceNumber: 7, enqueued: Now.AddDays(-2));
        var operations = Operations(Receiver(message));

        var found = Assert.Single(await operations.FindAsync(TopicSubscriptions.Audit, _ => true, TestContext.Current.CancellationToken));

        Assert.Equal(("evt_1", TopicSubscriptions.Audit, "7", 10), (found.Id, found.Subscription, found.Key, found.DeliveryCount));
        Assert.Equal(("MaxDeliveryCountExceeded", "Message could not be consumed after 10 delivery attempts."), (found.Reason, found.Description));
        Assert.Equal(("acme", "mindtickle", "evt_1"), (found.Tenant, found.Vendor, found.EventId));
        Assert.Equal(Now.AddDays(-2), found.EnqueuedAt);
        Assert.DoesNotContain("DeadLetterReason", found.Message.Properties.Keys);
        Assert.DoesNotContain("DeadLetterErrorDescription", found.Message.Properties.Keys);
    }

    [Fact]
    public async Task Replay_SendSucceeds_SendsOriginalMessageThenCompletes()
    {
        var message = DeadLettered("evt_2", sequenceNumber: 3, enqueued: Now.AddDays(-2));
        var receiver = Receiver(message);
        var operations = Operations(receiver);
        var targets = await operations.FindAsync(null, _ => true, TestContext.Current.CancellationToken);

        var run = await operations.ReplayAsync(targets, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, run.Done);
        var sent = Assert.Single(_sender.Sent);
        Assert.Equal(("evt_2", "corr-evt_2", EventSerializer.JsonContentType), (sent.MessageId, sent.CorrelationId, sent.ContentType));
        Assert.Equal(message.Body.ToArray(), sent.Body.ToArray());
        Assert.Equal(
            new Dictionary<string, object> { ["tenant"] = "acme", ["vendor"] = "mindtickle", ["eventType"] = "course.completed", ["hasTranscript"] = false },
            sent.ApplicationProperties);
        receiver.Verify(r => r.CompleteMessageAsync(message, It.IsAny<CancellationToken>()), Times.Once);
        receiver.Verify(r => r.AbandonMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()), Times.Never);
        Assert.Equal(["complete evt_2 after 1 sent"], _calls);
    }

    [Fact]
    public async Task Replay_SendFails_DoesNotCompleteAndAbandons()
    {
        var message = DeadLettered("evt_3", sequenceNumber: 4, enqueued: Now.AddDays(-2));
        var receiver = Receiver(message);
        var operations = Operations(receiver);
        _sender.FailSendWith = new ServiceBusException("busy", ServiceBusFailureReason.ServiceBusy);
        var targets = await operations.FindAsync(null, _ => true, TestContext.Current.CancellationToken);

        var run = await operations.ReplayAsync(targets, cancellationToken: TestContext.Current.CancellationToken);

        var outcome = Assert.Single(run.Outcomes);
        Assert.Equal(DeadLetterResult.Failed, outcome.Result);
        Assert.Contains(nameof(BrokerUnavailableException), outcome.Detail, StringComparison.Ordinal);
        receiver.Verify(r => r.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()), Times.Never);
        receiver.Verify(r => r.AbandonMessageAsync(message, It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal("failure", Assert.Single(operations.AuditRows(run, "cli:test")).Outcome);
    }

    [Fact]
    public async Task Replay_InsideDuplicateDetectionWindow_NeitherSendsNorCompletes()
    {
        var message = DeadLettered("evt_4", sequenceNumber: 5, enqueued: Now.AddHours(-2));
        var receiver = Receiver(message);
        var operations = Operations(receiver);
        var targets = await operations.FindAsync(null, _ => true, TestContext.Current.CancellationToken);

        var run = await operations.ReplayAsync(targets, cancellationToken: TestContext.Current.CancellationToken);

        var outcome = Assert.Single(run.Outcomes);
        Assert.Equal(DeadLetterResult.Skipped, outcome.Result);
        Assert.Contains("duplicate detection", outcome.Detail, StringComparison.Ordinal);
        _sender.VerifyNothingSent();
        receiver.Verify(r => r.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task Purge_ChosenId_CompletesItAndAbandonsTheOther()
    {
        var chosen = DeadLettered("evt_5", sequenceNumber: 8, enqueued: Now.AddDays(-20));
        var other = DeadLettered("evt_6", sequenceNumber: 9, enqueued: Now.AddDays(-1));
        var receiver = Receiver(other, chosen);
        var operations = Operations(receiver);
        var targets = await operations.FindAsync(null, d => d.Id == "evt_5", TestContext.Current.CancellationToken);

        var run = await operations.PurgeAsync(targets, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1, run.Done);
        receiver.Verify(r => r.CompleteMessageAsync(chosen, It.IsAny<CancellationToken>()), Times.Once);
        receiver.Verify(r => r.CompleteMessageAsync(other, It.IsAny<CancellationToken>()), Times.Never);
        receiver.Verify(r => r.AbandonMessageAsync(other, It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()), Times.Once);
        _sender.VerifyNothingSent();
        var row = Assert.Single(operations.AuditRows(run, "cli:test"));
        Assert.Equal(("acme", "audit/evt_5", "1"), (row.Tenant, row.Details["ids"], row.Details["done"]));
    }

    private DeadLetterOperations Operations(Mock<ServiceBusReceiver> auditReceiver)
    {
        // The transcripts subscription's dead-letter subqueue is empty.
        var transcripts = new Mock<ServiceBusReceiver>();
        transcripts.Setup(r => r.PeekMessagesAsync(It.IsAny<int>(), It.IsAny<long?>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        var store = new ServiceBusDeadLetterStore(
            subscription => subscription == TopicSubscriptions.Audit ? auditReceiver.Object : transcripts.Object, TimeSpan.FromDays(1));
        return new DeadLetterOperations(store, new ServiceBusEventPublisher(_sender.Object), azurite.AuditWriter(), _time);
    }

    /// <summary>A dead-letter receiver over <paramref name="messages"/>: peeked in pages, received once, then empty.</summary>
    private Mock<ServiceBusReceiver> Receiver(params ServiceBusReceivedMessage[] messages)
    {
        var receiver = new Mock<ServiceBusReceiver>();
        receiver.Setup(r => r.PeekMessagesAsync(It.IsAny<int>(), It.IsAny<long?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((int max, long? from, CancellationToken _) => messages.Where(m => m.SequenceNumber >= (from ?? 0)).OrderBy(m => m.SequenceNumber).Take(max).ToList());
        receiver.SetupSequence(r => r.ReceiveMessagesAsync(It.IsAny<int>(), It.IsAny<TimeSpan?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(messages)
            .ReturnsAsync([]);
        receiver.Setup(r => r.CompleteMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<CancellationToken>()))
            .Callback((ServiceBusReceivedMessage m, CancellationToken _) => _calls.Add($"complete {m.MessageId} after {_sender.Sent.Count(s => s.MessageId == m.MessageId)} sent"))
            .Returns(Task.CompletedTask);
        receiver.Setup(r => r.AbandonMessageAsync(It.IsAny<ServiceBusReceivedMessage>(), It.IsAny<IDictionary<string, object>>(), It.IsAny<CancellationToken>()))
            .Returns(Task.CompletedTask);
        return receiver;
    }

    private static ServiceBusReceivedMessage DeadLettered(string eventId, long sequenceNumber, DateTimeOffset enqueued)
    {
        var pipelineEvent = new PipelineEvent(
            eventId, "mindtickle", "acme", "course.completed", "mt-" + eventId, enqueued, false,
            System.Text.Json.JsonDocument.Parse("{\"event_id\":\"x\",\"event_type\":\"course.completed\",\"data\":{\"user_email\":\"grace@example.org\",\"score\":91}}").RootElement);
        return ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: BinaryData.FromBytes(EventSerializer.Serialize(pipelineEvent)),
            messageId: eventId,
            correlationId: "corr-" + eventId,
            contentType: EventSerializer.JsonContentType,
            properties: new Dictionary<string, object>
            {
                ["tenant"] = "acme",
                ["vendor"] = "mindtickle",
                ["eventType"] = "course.completed",
                ["hasTranscript"] = false,
                ["DeadLetterReason"] = "MaxDeliveryCountExceeded",
                ["DeadLetterErrorDescription"] = "Message could not be consumed after 10 delivery attempts.",
            },
            deliveryCount: 10,
            sequenceNumber: sequenceNumber,
            enqueuedTime: enqueued);
    }
}
