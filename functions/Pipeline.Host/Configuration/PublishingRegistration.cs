using Azure.Core;
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
            // Azure.Core's defaults (3 retries, exponential back-off); a caller may register its own options first.
            builder.Services.TryAddSingleton(_ => new ServiceBusRestClientOptions());

            // Same managed identity as storage (StorageRegistration); it needs the Service Bus Data Sender role on the topic.
            builder.Services.TryAddSingleton<IEventPublisher>(sp => ServiceBusRestPublisher.Create(
                sp.GetRequiredService<PipelineOptions>().ServiceBus,
                sp.GetRequiredService<TokenCredential>(),
                sp.GetRequiredService<ServiceBusRestClientOptions>()));
        }

        return builder;
    }
}
