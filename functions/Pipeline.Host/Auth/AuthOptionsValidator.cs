using System.Text;
using Microsoft.Extensions.Options;
using Pipeline.Core.Configuration;

namespace Pipeline.Host.Auth;

/// <summary>
/// The caller-auth settings, checked at start beside the feature that uses them: Entra ID's authority and
/// audience in Azure mode, a local signing key long enough for HS256 in Local mode. Names keys, never values.
/// </summary>
internal sealed class AuthOptionsValidator : IValidateOptions<PipelineOptions>
{
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Mode == PipelineMode.Azure)
        {
            foreach (var (value, key) in new[] { (options.Auth.Authority, "Pipeline:Auth:Authority"), (options.Auth.Audience, "Pipeline:Auth:Audience") })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    failures.Add($"{key} is required in this mode.");
                }
            }
        }
        else if (Encoding.UTF8.GetByteCount(options.Auth.LocalSigningKey ?? "") < LocalTokens.MinimumKeyBytes)
        {
            failures.Add($"Pipeline:Auth:LocalSigningKey is required in Local mode: at least {LocalTokens.MinimumKeyBytes} bytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
