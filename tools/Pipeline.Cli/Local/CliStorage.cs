using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Pipeline.Azure.Storage;
using Pipeline.Core.Configuration;

namespace Pipeline.Cli.Local;

/// <summary>
/// The operator's direct path to Table Storage: the same settings as the handler, with the signed-in
/// Azure identity (DefaultAzureCredential) when no connection string is configured.
/// </summary>
internal static class CliStorage
{
    /// <summary>The options as the handler binds them, the flat binding settings (<c>ServiceBusTopicName</c>, …) included.</summary>
    public static PipelineOptions LoadOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection(PipelineOptions.SectionName).Get<PipelineOptions>() ?? new PipelineOptions();
        Pipeline.Host.Configuration.BindingSettings.Apply(configuration, options);
        return options;
    }

    public static global::Azure.Data.Tables.TableServiceClient Tables(PipelineOptions options) =>
        StorageClients.CreateTableService(options.Storage, new DefaultAzureCredential());
}
