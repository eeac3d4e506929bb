namespace Pipeline.Core.Configuration;

/// <summary>
/// What spans features, bound from the <c>Pipeline</c> section (SPEC §4): the mode, the tenants and who may touch
/// them. Each feature's own settings are its own options class beside it, bound from <c>Pipeline:{Feature}</c>
/// and validated where the feature is registered (<c>WebhookOptions</c>, <c>AuditOptions</c>, <c>RetentionOptions</c>, …).
/// </summary>
public sealed class PipelineOptions
{
    /// <summary>The configuration section every key lives under; each feature's section is beneath it.</summary>
    public const string SectionName = "Pipeline";

    /// <summary>Local (Azurite, local key file, in-process dispatcher) or Azure.</summary>
    public PipelineMode Mode { get; set; } = PipelineMode.Local;

    /// <summary>Tenants by id; ids are compared case-insensitively, as configuration keys are.</summary>
    public Dictionary<string, TenantOptions> Tenants { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Which tenants each caller may touch.</summary>
    public AccessOptions Access { get; set; } = new();
}

/// <summary>Where the pipeline runs.</summary>
public enum PipelineMode
{
    /// <summary>Developer machine: Azurite, Azurite queues for the subscriptions, a local key file.</summary>
    Local,

    /// <summary>Azure Functions with Service Bus, Key Vault and Table Storage over managed identity.</summary>
    Azure,
}

/// <summary>Tenant grants per caller.</summary>
public sealed class AccessOptions
{
    /// <summary>Tenant ids (or <c>*</c>) per Entra object id.</summary>
    public Dictionary<string, List<string>> Grants { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
