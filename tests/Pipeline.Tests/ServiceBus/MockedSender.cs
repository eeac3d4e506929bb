using Azure.Messaging.ServiceBus;
using Moq;

namespace Pipeline.Tests.ServiceBus;

/// <summary>
/// A <see cref="ServiceBusSender"/> mocked the way the Azure SDK's mocking guidance shows: batches come from
/// <see cref="ServiceBusModelFactory.ServiceBusMessageBatch"/> over a list the test reads, and the send is
/// what the test checks. <see cref="FitsInBatch"/> plays the link's size limit; <see cref="FailSendWith"/>
/// plays the service refusing the send.
/// </summary>
internal sealed class MockedSender
{
    public const long MaxMessageBytes = 256 * 1024;

    private readonly List<(ServiceBusMessageBatch Batch, List<ServiceBusMessage> Added)> _batches = [];

    public MockedSender(string topic = "pipeline-events")
    {
        Mock.SetupGet(s => s.EntityPath).Returns(topic);
        Mock.Setup(s => s.CreateMessageBatchAsync(It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                var added = new List<ServiceBusMessage>();
                var batch = ServiceBusModelFactory.ServiceBusMessageBatch(
                    MaxMessageBytes,
                    added,
                    new CreateMessageBatchOptions { MaxSizeInBytes = MaxMessageBytes },
                    message => FitsInBatch(message));
                lock (_batches)
                {
                    _batches.Add((batch, added));
                }

                return ValueTask.FromResult(batch);
            });
        Mock.Setup(s => s.SendMessagesAsync(It.IsAny<ServiceBusMessageBatch>(), It.IsAny<CancellationToken>()))
            .Returns((ServiceBusMessageBatch batch, CancellationToken _) =>
            {
                if (FailSendWith is { } failure)
                {
                    return Task.FromException(failure);
                }

                lock (_batches)
                {
                    Sent.AddRange(_batches.Single(b => ReferenceEquals(b.Batch, batch)).Added);
                }

                return Task.CompletedTask;
            });
    }

    public Mock<ServiceBusSender> Mock { get; } = new();

    public ServiceBusSender Object => Mock.Object;

    /// <summary>Whether the batch takes a message; by default, everything fits.</summary>
    public Func<ServiceBusMessage, bool> FitsInBatch { get; set; } = _ => true;

    /// <summary>Thrown by the send when set.</summary>
    public Exception? FailSendWith { get; set; }

    /// <summary>Messages the broker took, in order.</summary>
    public List<ServiceBusMessage> Sent { get; } = [];

    public void VerifyNothingSent() =>
        Mock.Verify(s => s.SendMessagesAsync(It.IsAny<ServiceBusMessageBatch>(), It.IsAny<CancellationToken>()), Times.Never);
}
