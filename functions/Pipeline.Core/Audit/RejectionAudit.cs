using System.Globalization;
using Pipeline.Core.Webhooks;

namespace Pipeline.Core.Audit;

/// <summary>
/// The audit row of a count of rejected (or duplicate) webhooks, as <see cref="EventAudit"/> holds the rows
/// of an accepted one. It lives here, not with <see cref="RejectionTally"/>, so the ingress never depends
/// on audit: audit reads the vendors' schemas, and the vendors build on the ingress.
/// </summary>
public static class RejectionAudit
{
    /// <summary>
    /// The audit row. <paramref name="instance"/> tells apart the rows several handler instances write
    /// for the same minute; the row key stays stable for a given instance, so a retried write is idempotent.
    /// </summary>
    public static AuditEntry ToAuditEntry(this RejectionCount count, string instance)
    {
        ArgumentNullException.ThrowIfNull(count);
        return AuditEntry.ByVendor(
            count.Vendor,
            count.Tenant,
            count.Minute,
            count.Reason is null ? RejectionTally.DuplicateAction : RejectionTally.Action,
            count.Reason is null ? AuditOutcome.Success : AuditOutcome.Failure,
            new AuditResource("webhook", $"{count.ReasonSlug}:{count.Vendor}:{instance}"),
            details: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["reason"] = count.ReasonSlug,
                ["vendor"] = count.Vendor,
                ["count"] = count.Count.ToString(CultureInfo.InvariantCulture),
                ["sources"] = string.Join(',', count.Sources),
                ["sourcesOmitted"] = count.SourcesOmitted.ToString(CultureInfo.InvariantCulture),
                ["instance"] = instance,
            });
    }
}
