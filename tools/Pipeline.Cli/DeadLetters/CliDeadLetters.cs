using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Azure.Messaging.ServiceBus;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Local;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Audit;
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

    /// <summary>
    /// Adds the dead letters to a command's services (<c>CliServices.Build(configuration, CliDeadLetters.Register)</c>):
    /// opened from the validated options when first asked for, closed with the services.
    /// </summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton(sp => Open(sp));
        services.AddSingleton(sp => sp.GetRequiredService<CliDeadLetters>().Operations);
    }

    /// <summary>The dead letters from the validated options in <paramref name="services"/>.</summary>
    public static CliDeadLetters Open(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var mode = services.GetRequiredService<PipelineOptions>().Mode;
        var serviceBusOptions = services.GetRequiredService<ServiceBusOptions>();
        var timeProvider = services.GetRequiredService<TimeProvider>();
        var credential = services.GetRequiredService<TokenCredential>();
        var audit = AuditTableWriter.ForPseudonymKey(services.GetRequiredService<TableServiceClient>(), services.GetRequiredService<AuditOptions>().PseudonymKey);
        if (mode == PipelineMode.Local)
        {
            var queues = services.GetRequiredService<QueueServiceClient>();
            var subscriptions = new LocalSubscriptions(serviceBusOptions.TopicName);
            return new CliDeadLetters(
                new DeadLetterOperations(new LocalDeadLetterStore(queues, subscriptions, timeProvider), new QueueEventPublisher(queues, subscriptions, timeProvider), audit, timeProvider),
                client: null);
        }

        var serviceBus = new ServiceBusClient(
            ServiceBusEventPublisher.FullyQualifiedNamespace(serviceBusOptions.FullyQualifiedNamespace),
            credential,
            new ServiceBusClientOptions { RetryOptions = ServiceBusEventPublisher.IngressRetry, Identifier = "pipeline-cli" });
        return new CliDeadLetters(
            new DeadLetterOperations(
                ServiceBusDeadLetterStore.ForTopic(serviceBus, serviceBusOptions.TopicName, serviceBusOptions.DuplicateDetectionWindow),
                new ServiceBusEventPublisher(serviceBus.CreateSender(serviceBusOptions.TopicName)),
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
