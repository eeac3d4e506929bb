namespace Pipeline.Host.Logging;

/// <summary>The audit functions' log lines (the rest of <see cref="Log"/> is in Log.cs): ids, counts and reasons only.</summary>
internal static partial class Log
{
    // Warning: the message is settled (not redelivered, not dead-lettered); its audited row and this line are what an operator sees.
    [LoggerMessage(180, LogLevel.Warning, "{Function} rejected message {MessageId} for tenant {Tenant}: {Reason}; recorded as a message.rejected audit row, not retried.")]
    public static partial void MessageRejected(ILogger logger, string function, string messageId, string tenant, string reason);

    [LoggerMessage(181, LogLevel.Information, "{Function}: a batch of {Messages} messages, {Rows} audit rows written, {Rejected} rejected.")]
    public static partial void AuditBatchWritten(ILogger logger, string function, int messages, int rows, int rejected);

    // What the chain-break alert's runbook starts from: where, never what the row held.
    [LoggerMessage(182, LogLevel.Warning, "Audit chain break for tenant {Tenant} on {Day}: row {RowKey}.")]
    public static partial void ChainBreakFound(ILogger logger, string tenant, string day, string rowKey);

    [LoggerMessage(183, LogLevel.Information, "Audit chain of {Day} verified for {Tenants} tenants: {Rows} rows, {Breaks} breaks.")]
    public static partial void ChainVerified(ILogger logger, string day, int tenants, long rows, int breaks);
}
