using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Azure.Local;
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
            // TryAdd: a publisher registered by HandlerApp.Build's configure callback (tests, benchmarks) wins.
            builder.Services.TryAddSingleton<IEventPublisher>(sp => sp.GetRequiredService<QueueEventPublisher>());
        }
        else
        {
            throw new NotSupportedException("Azure mode needs the Service Bus publisher, which is not built yet.");
        }

        return builder;
    }
}
