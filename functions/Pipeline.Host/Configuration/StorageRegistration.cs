using Azure.Core;
using Pipeline.Azure.Storage;

namespace Pipeline.Host.Configuration;

internal static class StorageRegistration
{
    /// <summary>The table and queue clients, built from <c>Pipeline:Storage</c> on the app's identity (<see cref="IdentityRegistration"/>).</summary>
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        builder.AddAzureIdentity();
        builder.Services.AddValidatedOptions<StorageOptions, StorageOptionsValidator>(StorageOptions.SectionName);
        builder.Services.AddSingleton(sp => StorageClients.CreateTableService(
            sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<TokenCredential>()));
        builder.Services.AddSingleton(sp => StorageClients.CreateQueueService(
            sp.GetRequiredService<StorageOptions>(), sp.GetRequiredService<TokenCredential>()));
        return builder;
    }
}
