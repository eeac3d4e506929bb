using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Local;
using Pipeline.Azure.ServiceBus;
using Pipeline.Azure.Storage;
using Pipeline.Core.Configuration;

namespace Pipeline.Cli.DeadLetters;

/// <summary>
/// The dead-letter operations as the handler's mode has them, opened from the operator's machine: Local mode
/// the Azurite poison queues and queue publisher; Azure mode the subscriptions' dead-letter subqueues and the
/// topic through <see cref="ServiceBusClient"/> on the signed-in developer (DefaultAzureCredential), who needs
/// Azure Service Bus Data Receiver on the subscriptions and Data Sender on the topic to replay.
/// </summary>
internal sealed class CliDeadLetters(DeadLetterOperations operations, ServiceBusClient? client) : IAsyncDisposable
{
    public DeadLetterOperations Operations { get; } = operations;

    public static CliDeadLetters Open(PipelineOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        var credential = new DefaultAzureCredential();
        var audit = AuditTableWriter.ForPseudonymKey(StorageClients.CreateTableService(options.Storage, credential), options.Audit.PseudonymKey);
        if (options.Mode == PipelineMode.Local)
        {
            var queues = StorageClients.CreateQueueService(options.Storage, credential);
            var subscriptions = new LocalSubscriptions(options.ServiceBus.TopicName);
            return new CliDeadLetters(
                new DeadLetterOperations(new LocalDeadLetterStore(queues, subscriptions, timeProvider), new QueueEventPublisher(queues, subscriptions, timeProvider), audit, timeProvider),
                client: null);
        }

        var serviceBus = new ServiceBusClient(
            ServiceBusEventPublisher.FullyQualifiedNamespace(options.ServiceBus.FullyQualifiedNamespace),
            credential,
            new ServiceBusClientOptions { RetryOptions = ServiceBusEventPublisher.IngressRetry, Identifier = "pipeline-cli" });
        return new CliDeadLetters(
            new DeadLetterOperations(
                ServiceBusDeadLetterStore.ForTopic(serviceBus, options.ServiceBus.TopicName, options.ServiceBus.DuplicateDetectionWindow),
                new ServiceBusEventPublisher(serviceBus.CreateSender(options.ServiceBus.TopicName)),
                audit,
                timeProvider),
            serviceBus);
    }

    public async ValueTask DisposeAsync()
    {
        if (client is not null)
        {
            await client.DisposeAsync();
        }
    }
}
