using Microsoft.Extensions.DependencyInjection.Extensions;
namespace Pipeline.Host.Local;

internal static class LocalModeRegistration
{
    /// <summary>The stand-ins for what the Functions host does in Azure: the Service Bus trigger and the timer.</summary>
    public static WebApplicationBuilder AddLocalMode(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(new LocalDispatcherOptions());
        builder.Services.AddHostedService<LocalDispatcher>();
        builder.Services.AddHostedService<LocalTimer>();
        return builder;
    }
}
