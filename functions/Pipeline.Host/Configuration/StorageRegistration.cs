using Microsoft.Extensions.DependencyInjection.Extensions;
using Azure.Core;
using Azure.Identity;
using Pipeline.Azure.Storage;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Configuration;

internal static class StorageRegistration
{
    /// <summary>The managed identity credential and the table and queue clients, built from <c>Pipeline:Storage</c>.</summary>
    public static WebApplicationBuilder AddStorage(this WebApplicationBuilder builder)
    {
        // DefaultAzureCredential picks the user-assigned identity from AZURE_CLIENT_ID in Azure.
        builder.Services.TryAddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        builder.Services.AddSingleton(sp => StorageClients.CreateTableService(
            sp.GetRequiredService<PipelineOptions>().Storage, sp.GetRequiredService<TokenCredential>()));
        builder.Services.AddSingleton(sp => StorageClients.CreateQueueService(
            sp.GetRequiredService<PipelineOptions>().Storage, sp.GetRequiredService<TokenCredential>()));
        return builder;
    }
}
