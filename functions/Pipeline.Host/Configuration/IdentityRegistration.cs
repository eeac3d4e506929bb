using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Configuration;

internal static class IdentityRegistration
{
    /// <summary>The client id of the app's user-assigned identity (app setting <c>Pipeline__Identity__ClientId</c>).</summary>
    public const string ClientIdKey = "Pipeline:Identity:ClientId";

    /// <summary>
    /// The one <see cref="TokenCredential"/> of the handler. Azure mode: <see cref="ManagedIdentityCredential"/>
    /// for the configured user-assigned identity, deterministic as Microsoft advises for production (no chain
    /// to probe, no environment or developer credential picked up by accident). Local mode talks to Azurite
    /// with a connection string; the developer credential there is only for a developer pointing it at Azure.
    /// A caller that brings its own credential (the CLI: the operator's) needs no identity settings.
    /// </summary>
    public static WebApplicationBuilder AddAzureIdentity(this WebApplicationBuilder builder)
    {
        if (builder.Services.Any(d => d.ServiceType == typeof(TokenCredential)))
        {
            return builder;
        }

        var azure = builder.Configuration.PipelineMode() == PipelineMode.Azure;
        builder.Services.AddValidatedOptions<IdentityOptions, IdentityOptionsValidator>(IdentityOptions.SectionName);
        builder.Services.TryAddSingleton<TokenCredential>(sp => azure
            ? Create(sp.GetRequiredService<IdentityOptions>())
            : new DefaultAzureCredential());
        return builder;
    }

    /// <summary>The app's user-assigned managed identity; options validation has made sure the client id is set.</summary>
    public static ManagedIdentityCredential Create(IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw new InvalidOperationException($"{ClientIdKey} is not set.");
        }

        return new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.ClientId));
    }
}
