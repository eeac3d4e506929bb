using Microsoft.Extensions.Options;
using Pipeline.Azure.KeyVault;
using Pipeline.Core.Configuration;
using Pipeline.Host.Configuration;

namespace Pipeline.Host.Transcripts;

/// <summary>
/// The key that wraps transcript data keys, checked at start where transcripts are registered: in Azure mode a
/// versionless Key Vault key URI (each wrap names the version it used). Names the key, never the value.
/// </summary>
internal sealed class KeyVaultOptionsValidator(IConfiguration configuration) : IValidateOptions<KeyVaultOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyVaultOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (configuration.PipelineMode() != PipelineMode.Azure)
        {
            return ValidateOptionsResult.Success;
        }

        if (string.IsNullOrWhiteSpace(options.KeyId))
        {
            return ValidateOptionsResult.Fail("Pipeline:KeyVault:KeyId is required in this mode.");
        }

        return KeyVaultKeyId.TryParse(options.KeyId, out var keyId) && keyId.Version is null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Pipeline:KeyVault:KeyId must be a versionless Key Vault key URI (https://{vault}/keys/{name}).");
    }
}
