using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Azure.Storage.Queues;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Local;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;

namespace Pipeline.Host.Configuration;

internal static class PublishingRegistration
{
    /// <summary>
    /// The event publisher and where dead letters are kept: Azurite queues and their poison queues in Local
    /// mode, the Service Bus topic and its subscriptions' dead-letter subqueues in Azure mode.
    /// </summary>
    public static WebApplicationBuilder AddEventPublishing(this WebApplicationBuilder builder)
    {
        builder.AddServiceBusOptions();
        if (builder.Configuration.PipelineMode() == PipelineMode.Local)
        {
            builder.Services.AddSingleton(sp => new LocalSubscriptions(sp.GetRequiredService<ServiceBusOptions>().TopicName));
            builder.Services.AddSingleton<QueueEventPublisher>();
            builder.Services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<QueueEventPublisher>());
            builder.Services.TryAddSingleton<IDeadLetterStore>(sp => new LocalDeadLetterStore(
                sp.GetRequiredService<QueueServiceClient>(), sp.GetRequiredService<LocalSubscriptions>(), sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            // One client and one sender for the process (both hold AMQP connections; the container disposes
            // them at shutdown). The identity needs Azure Service Bus Data Sender on the topic.
            builder.Services.TryAddSingleton(sp => ServiceBusEventPublisher.CreateClient(
                sp.GetRequiredService<ServiceBusOptions>(), sp.GetRequiredService<TokenCredential>()));
            builder.Services.TryAddSingleton(sp => sp.GetRequiredService<ServiceBusClient>()
                .CreateSender(sp.GetRequiredService<ServiceBusOptions>().TopicName));
            builder.Services.TryAddSingleton<IEventPublisher>(sp => new ServiceBusEventPublisher(sp.GetRequiredService<ServiceBusSender>()));

            // Retention and erasure reach the subscriptions' dead-letter subqueues with the same client; the
            // identity's Service Bus Data Owner on each subscription includes receiving from them.
            builder.Services.TryAddSingleton<IDeadLetterStore>(sp =>
            {
                var options = sp.GetRequiredService<ServiceBusOptions>();
                return ServiceBusDeadLetterStore.ForTopic(sp.GetRequiredService<ServiceBusClient>(), options.TopicName, options.DuplicateDetectionWindow);
            });
        }

        builder.Services.AddSingleton(sp => new DeadLetterOperations(
            sp.GetRequiredService<IDeadLetterStore>(), sp.GetRequiredService<IEventPublisher>(), sp.GetRequiredService<AuditTableWriter>(), sp.GetRequiredService<TimeProvider>()));

        return builder;
    }

    /// <summary>
    /// <c>Pipeline:ServiceBus</c>, validated at start; the flat <c>ServiceBusTopicName</c> the triggers bind to wins
    /// over the nested name. Also for the CLI, which opens the topic's dead letters without the publisher.
    /// </summary>
    public static WebApplicationBuilder AddServiceBusOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<ServiceBusOptions, ServiceBusOptionsValidator>(
            ServiceBusOptions.SectionName,
            (options, configuration) => options.TopicName = BindingSettings.Override(configuration, BindingSettings.TopicName, options.TopicName));
        return builder;
    }
}
