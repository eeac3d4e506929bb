using System.Collections.Concurrent;
using Pipeline.Core.Configuration;

namespace Pipeline.Core.Privacy;

/// <summary>
/// The redactor of each tenant: the allowlist of the event schemas, the default patterns, and
/// <c>Pipeline:Tenants:{t}:Privacy:PiiPatterns</c> on top. A tenant's patterns only add; no
/// configuration can keep a field its schema does not classify safe.
/// </summary>
/// <param name="options">The tenants and their patterns.</param>
/// <param name="pseudonymKey"><c>Pipeline:Audit:PseudonymKey</c>, which turns subjects into pseudonyms.</param>
public sealed class TenantRedaction(PipelineOptions options, string? pseudonymKey)
{
    private readonly ConcurrentDictionary<string, PayloadRedactor> _redactors = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The redactor for <paramref name="tenant"/> (an unknown tenant gets the defaults).</summary>
    public PayloadRedactor For(string tenant) => _redactors.GetOrAdd(tenant, t => new PayloadRedactor(
        pseudonymKey ?? throw new InvalidOperationException("Pipeline:Audit:PseudonymKey is not configured."),
        options.Tenants.TryGetValue(t, out var tenantOptions) ? TenantPatterns.Compile(tenantOptions.Privacy.PiiPatterns) : null));
}
