namespace Pipeline.Host.Local;

/// <summary>Timings of the Local mode dispatcher; tests shorten them.</summary>
internal sealed record LocalDispatcherOptions
{
    public int BatchSize { get; init; } = 16;

    /// <summary>The most messages one batch invocation carries, as host.json's <c>serviceBus.maxMessageBatchSize</c>.</summary>
    public int MaxMessageBatchSize { get; init; } = 500;

    /// <summary>As a Service Bus subscription's lock duration.</summary>
    public TimeSpan LockDuration { get; init; } = TimeSpan.FromMinutes(1);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryBackoff { get; init; } = TimeSpan.FromSeconds(30);
}
