namespace Pipeline.Azure.ServiceBus;

/// <summary>The Service Bus topic events are published to.</summary>
public sealed class ServiceBusOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:ServiceBus";

    /// <summary>e.g. <c>contoso.servicebus.windows.net</c>.</summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>The topic name.</summary>
    public string TopicName { get; set; } = "pipeline-events";

    /// <summary>
    /// The topic's duplicate detection window (Bicep <c>duplicateDetectionWindow</c>, default one day). A
    /// dead letter replayed with its original <c>MessageId</c> inside this window after it was first
    /// enqueued would be dropped by the topic as a duplicate, so replay waits until it has passed.
    /// </summary>
    public TimeSpan DuplicateDetectionWindow { get; set; } = TimeSpan.FromDays(1);
}
