using System.Collections.Concurrent;
using Pipeline.Core.Configuration;

namespace Pipeline.Core.Privacy;

/// <summary>
/// The redactor of each tenant: the default fields plus <c>Pipeline:Tenants:{t}:Privacy:RedactFields</c>.
/// A tenant's list only adds fields; no configuration can switch the defaults off.
/// </summary>
public sealed class TenantRedaction(PipelineOptions options)
{
    private readonly ConcurrentDictionary<string, PayloadRedactor> _redactors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The redactor for <paramref name="tenant"/> (an unknown tenant gets the defaults).</summary>
    public PayloadRedactor For(string tenant) => _redactors.GetOrAdd(tenant, t => new PayloadRedactor(
        options.Audit.PseudonymKey ?? throw new InvalidOperationException("Pipeline:Audit:PseudonymKey is not configured."),
        options.Tenants.TryGetValue(t, out var tenantOptions) ? tenantOptions.Privacy.RedactFields : null));
}
