namespace Pipeline.Host.Local;

/// <summary>Log lines of Local mode's stand-ins for the Functions host.</summary>
internal static partial class LocalLog
{
    [LoggerMessage(100, LogLevel.Warning, "Receiving from {Queue} failed; retrying.")]
    public static partial void ReceiveFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(101, LogLevel.Warning, "{Function} failed for message {MessageId} (delivery {DeliveryCount}); it will be redelivered.")]
    public static partial void DeliveryFailed(ILogger logger, string function, string messageId, long deliveryCount);

    [LoggerMessage(102, LogLevel.Error, "Message {MessageId} moved from {Queue} to its poison queue after {DeliveryCount} deliveries.")]
    public static partial void Poisoned(ILogger logger, string queue, string messageId, long deliveryCount);

    [LoggerMessage(103, LogLevel.Information, "Timer {Function} next runs at {Next:O}.")]
    public static partial void TimerScheduled(ILogger logger, string function, DateTimeOffset next);

    [LoggerMessage(105, LogLevel.Warning, "{Function}: the lock on message {MessageId} expired before it was settled; its redelivery settles it.")]
    public static partial void LockLost(ILogger logger, string function, string messageId);

    [LoggerMessage(104, LogLevel.Warning, "Timer {Function} run failed.")]
    public static partial void TimerFailed(ILogger logger, string function);
}
