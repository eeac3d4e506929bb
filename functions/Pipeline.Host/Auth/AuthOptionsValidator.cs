using System.Text;
using Microsoft.Extensions.Options;
using Pipeline.Core.Configuration;
using Pipeline.Host.Configuration;

namespace Pipeline.Host.Auth;

/// <summary>
/// The caller-auth settings, checked at start beside the feature that uses them: Entra ID's authority and
/// audience in Azure mode, a local signing key long enough for HS256 in Local mode. Names keys, never values.
/// </summary>
internal sealed class AuthOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (configuration.PipelineMode() == PipelineMode.Azure)
        {
            foreach (var (value, key) in new[] { (options.Authority, "Pipeline:Auth:Authority"), (options.Audience, "Pipeline:Auth:Audience") })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    failures.Add($"{key} is required in this mode.");
                }
            }
        }
        else if (Encoding.UTF8.GetByteCount(options.LocalSigningKey ?? "") < LocalTokens.MinimumKeyBytes)
        {
            failures.Add($"Pipeline:Auth:LocalSigningKey is required in Local mode: at least {LocalTokens.MinimumKeyBytes} bytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
