using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Pipeline.Tests.Infrastructure;

/// <summary>A logger provider that keeps every entry, with its structured fields, for assertions.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<CapturedLog> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        // With log redaction on, a classified value is a pooled redactor valid only during the call: keep its text.
        private static object? Materialize(object? value) =>
            value is null or string or bool or int or long or double or decimal or DateTimeOffset or DateTime or Guid or TimeSpan or Enum ? value : value.ToString();

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            owner.Entries.Enqueue(new CapturedLog(category, logLevel, eventId.Id, formatter(state, exception), fields.ToDictionary(f => f.Key, f => Materialize(f.Value)), exception));
        }
    }
}

public sealed record CapturedLog(string Category, LogLevel Level, int EventId, string Message, IReadOnlyDictionary<string, object?> Fields, Exception? Exception);
