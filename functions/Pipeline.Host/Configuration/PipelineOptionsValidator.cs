using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Pipeline.Core.Configuration;
using Pipeline.Core.Privacy;
using Pipeline.Core.Webhooks.Vendors;

namespace Pipeline.Host.Configuration;

/// <summary>
/// Fails start-up on a configuration the pipeline cannot run with, naming the key and never its value.
/// Each feature validates its own options where it is registered (<c>Webhooks/WebhookOptionsValidator</c>,
/// <c>Audit/AuditOptionsValidator</c>, <c>Auth/AuthOptionsValidator</c>, <c>Retention/RetentionOptionsValidator</c>,
/// <c>Transcripts/KeyVaultOptionsValidator</c>, and here the storage, Service Bus and identity ones); this one
/// keeps what spans features: the tenants, their vendor secrets and privacy policies.
/// Hand-written rather than the source-generated <c>[OptionsValidator]</c>: the rules span dictionaries
/// keyed by tenant and vendor, which data annotations cannot express.
/// </summary>
internal sealed partial class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    /// <summary>Keys Azure mode cannot start without (the Bicep app settings must set each one).</summary>
    public static readonly IReadOnlyList<string> AzureRequiredKeys =
    [
        "Pipeline:Mode",
        "Pipeline:ServiceBus:FullyQualifiedNamespace",
        BindingSettings.TopicName,
        BindingSettings.RetentionSchedule,
        BindingSettings.AuditVerifySchedule,
        IdentityRegistration.ClientIdKey,
        "Pipeline:KeyVault:KeyId",
        "Pipeline:Storage:TableServiceUri",
        "Pipeline:Auth:Authority",
        "Pipeline:Auth:Audience",
        "Pipeline:Audit:PseudonymKey",
    ];

    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ValidateTenants(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTenants(PipelineOptions options, List<string> failures)
    {
        foreach (var (tenant, tenantOptions) in options.Tenants)
        {
            var prefix = $"Pipeline:Tenants:{tenant}";
            if (!TenantId().IsMatch(tenant))
            {
                failures.Add($"{prefix}: tenant ids are 1-63 lowercase letters, digits and hyphens.");
                continue;
            }

            if (tenantOptions.Vendors.Count == 0)
            {
                failures.Add($"{prefix}:Vendors must enable at least one vendor.");
            }

            foreach (var (vendorName, vendor) in tenantOptions.Vendors)
            {
                var vendorPrefix = $"{prefix}:Vendors:{vendorName}";
                if (!WebhookVendors.TryParse(vendorName, out var parsed))
                {
                    failures.Add($"{vendorPrefix}: unknown vendor ({WebhookVendors.RouteNames}).");
                    continue;
                }

                if (vendor.Secrets.Count == 0)
                {
                    failures.Add($"{vendorPrefix}:Secrets must hold at least one secret.");
                }

                for (var i = 0; i < vendor.Secrets.Count; i++)
                {
                    if (string.IsNullOrWhiteSpace(vendor.Secrets[i]))
                    {
                        failures.Add($"{vendorPrefix}:Secrets:{i} is empty.");
                    }
                    else if (parsed.Signature.KeyFor(vendor.Secrets[i]) is null)
                    {
                        failures.Add($"{vendorPrefix}:Secrets:{i} is not {parsed.Signature.SecretFormat}.");
                    }
                }
            }

            if (tenantOptions.Privacy.TranscriptRetentionDays < 1)
            {
                failures.Add($"{prefix}:Privacy:TranscriptRetentionDays must be at least 1.");
            }

            if (tenantOptions.Privacy.AuditRetentionDays < 1)
            {
                failures.Add($"{prefix}:Privacy:AuditRetentionDays must be at least 1.");
            }

            if (tenantOptions.Privacy.PiiPatterns.Count > TenantPatterns.MaxCount)
            {
                failures.Add($"{prefix}:Privacy:PiiPatterns holds more than {TenantPatterns.MaxCount} patterns.");
            }

            for (var i = 0; i < tenantOptions.Privacy.PiiPatterns.Count; i++)
            {
                // The reason names the rule broken, never the pattern (it may spell out what it hides).
                if (TenantPatterns.Problem(tenantOptions.Privacy.PiiPatterns[i]) is { } problem)
                {
                    failures.Add($"{prefix}:Privacy:PiiPatterns:{i} {problem}.");
                }
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex TenantId();
}
