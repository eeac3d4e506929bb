using Microsoft.Extensions.Options;
using Pipeline.Azure.Storage;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Configuration;

/// <summary>
/// Where the tables and queues are, checked at start where storage is registered: a connection string in Local
/// mode (Azurite), the table endpoint (or a connection string) in Azure mode. Names keys, never values.
/// </summary>
internal sealed class StorageOptionsValidator(IConfiguration configuration) : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (configuration.PipelineMode() == PipelineMode.Azure)
        {
            return options.TableServiceUri is null && string.IsNullOrWhiteSpace(options.ConnectionString)
                ? ValidateOptionsResult.Fail("Pipeline:Storage:TableServiceUri is required in Azure mode.")
                : ValidateOptionsResult.Success;
        }

        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? ValidateOptionsResult.Fail("Pipeline:Storage:ConnectionString is required in this mode.")
            : ValidateOptionsResult.Success;
    }
}
