using Pipeline.Core.Telemetry;

namespace Pipeline.Core.Audit;

/// <summary>
/// One audit row (SPEC §3.2). Holds identifiers and outcomes only: never a payload value, and the
/// subject only as a pseudonym. Rows are made by who acted (<see cref="ByVendor"/>, <see cref="BySystem"/>,
/// <see cref="ByCaller"/>); the positional constructor is what a stored row reads back into.
/// </summary>
/// <param name="Tenant">The tenant the row belongs to; rows are only ever read per tenant.</param>
/// <param name="Timestamp">When the audited thing happened; orders the rows.</param>
/// <param name="Action">What happened, e.g. <c>event.accepted</c>.</param>
/// <param name="Outcome">The stored text of an <see cref="AuditOutcome"/> (<see cref="AuditOutcomes.Text"/>).</param>
/// <param name="Actor">Who did it: <c>vendor:{name}</c>, a caller's <c>oid</c>, or <c>system</c>.</param>
/// <param name="ResourceType">What kind of thing it touched, e.g. <c>event</c>.</param>
/// <param name="ResourceId">Which one.</param>
/// <param name="EventId">The pipeline event it came from, when there is one.</param>
/// <param name="Subject">Pseudonym of the person concerned, when there is one.</param>
/// <param name="Details">Further non-personal facts (vendor, event type, counts).</param>
public sealed record AuditEntry(
    string Tenant,
    DateTimeOffset Timestamp,
    string Action,
    string Outcome,
    string Actor,
    string ResourceType,
    string? ResourceId,
    string? EventId,
    string? Subject,
    IReadOnlyDictionary<string, string> Details)
{
    /// <summary>A row about something a vendor's webhook did; the actor is <c>vendor:{vendor}</c>.</summary>
    public static AuditEntry ByVendor(
        string vendor,
        string tenant,
        DateTimeOffset at,
        string action,
        AuditOutcome outcome,
        AuditResource resource,
        string? eventId = null,
        string? subject = null,
        IReadOnlyDictionary<string, string>? details = null) =>
        Create($"vendor:{vendor}", tenant, at, action, outcome, resource, eventId, subject, details);

    /// <summary>A row about something the pipeline did on its own (a consumer, retention); the actor is <c>system</c>.</summary>
    public static AuditEntry BySystem(
        string tenant,
        DateTimeOffset at,
        string action,
        AuditOutcome outcome,
        AuditResource resource,
        string? eventId = null,
        string? subject = null,
        IReadOnlyDictionary<string, string>? details = null) =>
        Create(SystemActor, tenant, at, action, outcome, resource, eventId, subject, details);

    /// <summary>A row about something a caller did: an API caller's <c>oid</c> or an operator's name.</summary>
    public static AuditEntry ByCaller(
        string actor,
        string tenant,
        DateTimeOffset at,
        string action,
        AuditOutcome outcome,
        AuditResource resource,
        string? eventId = null,
        string? subject = null,
        IReadOnlyDictionary<string, string>? details = null) =>
        Create(actor, tenant, at, action, outcome, resource, eventId, subject, details);

    /// <summary>The actor of what the pipeline does on its own.</summary>
    public const string SystemActor = "system";

    private static AuditEntry Create(
        string actor, string tenant, DateTimeOffset at, string action, AuditOutcome outcome, AuditResource resource, string? eventId, string? subject, IReadOnlyDictionary<string, string>? details) =>
        new(tenant, at, action, outcome.Text(), actor, resource.Type, resource.Id, eventId, subject, details ?? new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>
    /// Audit rows are partitioned per tenant per UTC day, so a tenant + time-range query reads only
    /// that tenant's partitions.
    /// </summary>
    public string PartitionKey => PartitionFor(Tenant, Timestamp);

    /// <summary>The partition of a tenant's audit rows for the UTC day of <paramref name="timestamp"/>.</summary>
    public static string PartitionFor(string tenant, DateTimeOffset timestamp) =>
        $"{tenant}_{timestamp.UtcDateTime:yyyyMMdd}";

    /// <summary>
    /// Time-ordered, then unique per event and action: a redelivered event maps to the same key,
    /// which is what makes the write idempotent.
    /// </summary>
    public string RowKey => $"{RowKeyPrefix(Timestamp)}_{EventId ?? ResourceId ?? "-"}_{Action}" + (KeySuffix is null ? "" : "_" + KeySuffix);

    /// <summary>
    /// Tells apart several rows of one event and action (one <c>event.subject</c> row per subject);
    /// null for the usual one row per event and action.
    /// </summary>
    public string? KeySuffix { get; init; }

    /// <summary>
    /// The W3C trace id of the work that wrote the row (the webhook's trace for an event's rows, which
    /// the 202 answer names), so an operator goes from a delivery to its rows and back; null when the
    /// row was written outside any trace. Part of the row, so the audit chain's MAC covers it.
    /// </summary>
    public string? TraceId { get; init; } = TraceContext.CurrentTraceId;

    /// <summary>The time-ordered start of every RowKey: UTC ticks, zero-padded so text order is time order.</summary>
    public static string RowKeyPrefix(DateTimeOffset timestamp) => timestamp.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
}
