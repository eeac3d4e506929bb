using Microsoft.Extensions.Options;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Configuration;

/// <summary>Azure mode authenticates as the app's user-assigned identity: its client id must be set. Names the key, never the value.</summary>
internal sealed class IdentityOptionsValidator(IConfiguration configuration) : IValidateOptions<IdentityOptions>
{
    public ValidateOptionsResult Validate(string? name, IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return configuration.PipelineMode() == PipelineMode.Azure && string.IsNullOrWhiteSpace(options.ClientId)
            ? ValidateOptionsResult.Fail($"{IdentityRegistration.ClientIdKey} is required in this mode.")
            : ValidateOptionsResult.Success;
    }
}
