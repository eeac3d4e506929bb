namespace Pipeline.Host.Logging;

/// <summary>Local mode's stand-ins for the Functions host (ids 200–209; the rest of <see cref="Log"/> is in Log.cs).</summary>
internal static partial class Log
{
    [LoggerMessage(200, LogLevel.Warning, "Receiving from {Queue} failed; retrying.")]
    public static partial void ReceiveFailed(ILogger logger, string queue, Exception exception);

    [LoggerMessage(201, LogLevel.Warning, "{Function} failed for message {MessageId} (delivery {DeliveryCount}); it will be redelivered.")]
    public static partial void DeliveryFailed(ILogger logger, string function, string messageId, long deliveryCount);

    [LoggerMessage(202, LogLevel.Error, "Message {MessageId} moved from {Queue} to its poison queue after {DeliveryCount} deliveries.")]
    public static partial void Poisoned(ILogger logger, string queue, string messageId, long deliveryCount);

    [LoggerMessage(203, LogLevel.Information, "Timer {Function} next runs at {Next:O}.")]
    public static partial void TimerScheduled(ILogger logger, string function, DateTimeOffset next);

    [LoggerMessage(204, LogLevel.Warning, "Timer {Function} run failed.")]
    public static partial void TimerFailed(ILogger logger, string function);

    [LoggerMessage(205, LogLevel.Warning, "{Function}: the lock on message {MessageId} expired before it was settled; its redelivery settles it.")]
    public static partial void LockLost(ILogger logger, string function, string messageId);
}
