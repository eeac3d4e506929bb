using Microsoft.Extensions.DependencyInjection.Extensions;
namespace Pipeline.Host.Local;

internal static class LocalModeRegistration
{
    /// <summary><c>AzureFunctionsJobHost__extensions__serviceBus__maxMessageBatchSize</c>, as configuration reads it.</summary>
    public const string MaxMessageBatchSizeSetting = "AzureFunctionsJobHost:extensions:serviceBus:maxMessageBatchSize";

    /// <summary>The stand-ins for what the Functions host does in Azure: the Service Bus trigger and the timer.</summary>
    public static WebApplicationBuilder AddLocalMode(this WebApplicationBuilder builder)
    {
        // The app setting that overrides host.json's serviceBus.maxMessageBatchSize in Azure overrides Local mode's too.
        var defaults = new LocalDispatcherOptions();
        builder.Services.TryAddSingleton(defaults with
        {
            MaxMessageBatchSize = builder.Configuration.GetValue(MaxMessageBatchSizeSetting, defaults.MaxMessageBatchSize),
        });
        builder.Services.AddHostedService<LocalDispatcher>();
        builder.Services.AddHostedService<LocalTimer>();
        return builder;
    }
}
