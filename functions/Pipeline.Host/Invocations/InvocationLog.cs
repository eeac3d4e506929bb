namespace Pipeline.Host.Logging;

/// <summary>The invocation routes' log lines (the rest of <see cref="Log"/> is in Log.cs).</summary>
internal static partial class Log
{
    [LoggerMessage(170, LogLevel.Warning, "A request to the {Function} invocation route did not come from the Functions host; refused with 404.")]
    public static partial void ForgedInvocationRefused(ILogger logger, string function);
}
