using Pipeline.Core.Events;

namespace Pipeline.Azure.DeadLetters;

/// <summary>
/// A message a subscription gave up on after its last failed delivery: a Service Bus dead letter in
/// Azure mode, a poison-queue message in Local mode. It carries the published message whole (body
/// included), so it holds personal data: operators see its metadata and a redacted view, never the body.
/// </summary>
/// <param name="Id">The message id: the event id for every message the ingress published.</param>
/// <param name="Subscription">The subscription it was dead-lettered from (<see cref="TopicSubscriptions"/>).</param>
/// <param name="Key">
/// What tells it apart within its subscription's dead letters, even from another copy of the same id:
/// the sequence number (Azure) or the queue message id (Local).
/// </param>
/// <param name="EnqueuedAt">When it was first enqueued, which is when the pipeline took the data in; retention counts from here.</param>
/// <param name="DeliveryCount">Deliveries it had.</param>
/// <param name="Reason">The dead-letter reason (<c>MaxDeliveryCountExceeded</c> after ten failed deliveries).</param>
/// <param name="Description">The dead-letter error description.</param>
/// <param name="Message">The message as it was published: what a replay sends again.</param>
public sealed record DeadLetter(
    string Id,
    string Subscription,
    string Key,
    DateTimeOffset EnqueuedAt,
    int DeliveryCount,
    string? Reason,
    string? Description,
    BusMessage Message)
{
    /// <summary>The event the body holds; null when the body is not a well-formed pipeline event.</summary>
    public PipelineEvent? Event { get; } = EventSerializer.TryDeserialize(Message.Body.Span);

    /// <summary>The tenant: the event's, else the message's <c>tenant</c> property.</summary>
    public string? Tenant => Event?.Tenant ?? Property("tenant");

    /// <summary>The vendor: the event's, else the message's <c>vendor</c> property.</summary>
    public string? Vendor => Event?.Vendor ?? Property("vendor");

    /// <summary>The event type: the event's, else the message's <c>eventType</c> property.</summary>
    public string? EventType => Event?.EventType ?? Property("eventType");

    /// <summary>The pipeline event id the body names.</summary>
    public string? EventId => Event?.EventId;

    private string? Property(string name) => Message.Properties.TryGetValue(name, out var value) ? value as string : null;
}

/// <summary>The topic's subscriptions, by the names the Bicep and the function.json files give them.</summary>
public static class TopicSubscriptions
{
    /// <summary>Every event: WriteAudit.</summary>
    public const string Audit = "audit";

    /// <summary>Events with a transcript: EncryptTranscript.</summary>
    public const string Transcripts = "transcripts";

    /// <summary>Both, in a stable order.</summary>
    public static IReadOnlyList<string> All { get; } = [Audit, Transcripts];

    /// <summary>The named subscription, or all of them for null; an unknown name is an <see cref="ArgumentException"/>.</summary>
    public static IReadOnlyList<string> Select(string? subscription) => subscription switch
    {
        null => All,
        Audit or Transcripts => [subscription],
        _ => throw new ArgumentException($"No subscription '{subscription}': use {Audit} or {Transcripts}.", nameof(subscription)),
    };
}
