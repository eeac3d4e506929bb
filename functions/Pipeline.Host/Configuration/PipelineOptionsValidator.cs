using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using NCrontab;
using Pipeline.Core.Configuration;
using Pipeline.Core.Privacy;
using Pipeline.Core.Webhooks.Vendors;

namespace Pipeline.Host.Configuration;

/// <summary>
/// Fails start-up on a configuration the pipeline cannot run with, naming the key and never its value.
/// Features validate their own settings where they are registered (<c>Auth/AuthOptionsValidator</c>,
/// <c>Retention/RetentionOptionsValidator</c>, <c>Webhooks/WebhookOptionsValidator</c>); this one keeps what
/// spans features (mode, tenants and their vendor secrets, the topic, the bindings).
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
        var failures = new List<string>();
        ValidateTenants(options, failures);

        if (CrontabSchedule.TryParse(options.Audit.VerifySchedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            failures.Add($"Pipeline:Audit:VerifySchedule (app setting {BindingSettings.AuditVerifySchedule}) is not a six-field NCRONTAB expression.");
        }

        if (options.ServiceBus.DuplicateDetectionWindow < TimeSpan.Zero || options.ServiceBus.DuplicateDetectionWindow > TimeSpan.FromDays(7))
        {
            failures.Add("Pipeline:ServiceBus:DuplicateDetectionWindow must be between 00:00:00 and 7.00:00:00 (Service Bus allows at most seven days).");
        }

        if (!TopicName().IsMatch(options.ServiceBus.TopicName ?? ""))
        {
            // Also a valid queue-name prefix, as Local mode names its subscription queues after the topic.
            failures.Add($"Pipeline:ServiceBus:TopicName (app setting {BindingSettings.TopicName}) must be 3-40 lowercase letters, digits and single hyphens.");
        }

        if (options.Audit.PseudonymKey is not { Length: >= 32 })
        {
            failures.Add("Pipeline:Audit:PseudonymKey is required: at least 32 characters.");
        }

        if (options.Mode == PipelineMode.Azure)
        {
            Require(options.ServiceBus.FullyQualifiedNamespace, "Pipeline:ServiceBus:FullyQualifiedNamespace", failures);
            Require(options.Identity.ClientId, IdentityRegistration.ClientIdKey, failures);
            Require(options.KeyVault.KeyId, "Pipeline:KeyVault:KeyId", failures);
            if (options.KeyVault.KeyId is { Length: > 0 } keyId
                && (!Pipeline.Azure.KeyVault.KeyVaultKeyId.TryParse(keyId, out var parsedKeyId) || parsedKeyId.Version is not null))
            {
                failures.Add("Pipeline:KeyVault:KeyId must be a versionless Key Vault key URI (https://{vault}/keys/{name}).");
            }

            if (options.Storage.TableServiceUri is null && string.IsNullOrWhiteSpace(options.Storage.ConnectionString))
            {
                failures.Add("Pipeline:Storage:TableServiceUri is required in Azure mode.");
            }
        }
        else
        {
            Require(options.Storage.ConnectionString, "Pipeline:Storage:ConnectionString", failures);
        }

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

    private static void Require(string? value, string key, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{key} is required in this mode.");
        }
    }

    [GeneratedRegex("^(?=.{3,40}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex TopicName();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex TenantId();
}
