using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Azure.Local;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;

namespace Pipeline.Host.Configuration;

internal static class PublishingRegistration
{
    /// <summary>The event publisher: Azurite queues in Local mode, the Service Bus topic in Azure mode.</summary>
    public static WebApplicationBuilder AddEventPublishing(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.PipelineMode() == PipelineMode.Local)
        {
            builder.Services.AddSingleton(sp => new LocalSubscriptions(sp.GetRequiredService<PipelineOptions>().ServiceBus.TopicName));
            builder.Services.AddSingleton<QueueEventPublisher>();
            builder.Services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<QueueEventPublisher>());
        }
        else
        {
            // One client and one sender for the process (both hold AMQP connections; the container disposes
            // them at shutdown). The identity needs Azure Service Bus Data Sender on the topic.
            builder.Services.TryAddSingleton(sp => ServiceBusEventPublisher.CreateClient(
                sp.GetRequiredService<PipelineOptions>().ServiceBus, sp.GetRequiredService<TokenCredential>()));
            builder.Services.TryAddSingleton(sp => sp.GetRequiredService<ServiceBusClient>()
                .CreateSender(sp.GetRequiredService<PipelineOptions>().ServiceBus.TopicName));
            builder.Services.TryAddSingleton<IEventPublisher>(sp => new ServiceBusEventPublisher(sp.GetRequiredService<ServiceBusSender>()));
        }

        return builder;
    }
}
