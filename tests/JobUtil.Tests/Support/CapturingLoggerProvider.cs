using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Support;

/// <summary>Captures every log entry, with its formatted message, state values and exception.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>Everything a log entry carries, as text, for "the token is not in it" checks.</summary>
    public string AllText() => string.Join("\n", Entries.Select(e =>
        $"{e.Category} {e.Level} {e.EventName} {e.Message} {string.Join(",", e.State.Select(kv => $"{kv.Key}={kv.Value}"))} {e.Exception}"));

    internal sealed record LogEntry(string Category, LogLevel Level, string? EventName, string Message, IReadOnlyList<KeyValuePair<string, object?>> State, Exception? Exception);

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            provider.Entries.Enqueue(new LogEntry(category, logLevel, eventId.Name, formatter(state, exception), values.ToList(), exception));
        }
    }
}
