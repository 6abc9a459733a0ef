using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace JobUtil.Tests.Support;

/// <summary>A logger factory that keeps every entry, with its level, event name, message and structured values.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
{
    public ConcurrentQueue<Entry> Entries { get; } = new();

    /// <summary>Raised after each entry is kept.</summary>
    public event Action<Entry>? Logged;

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
        var entry = new Entry(logLevel, eventId.Name, formatter(state, exception), values.ToDictionary(v => v.Key, v => v.Value), exception);
        Entries.Enqueue(entry);
        Logged?.Invoke(entry);
    }

    /// <summary>Everything the entries carry, as text, for "the token is not in it" checks.</summary>
    public string AllText() => string.Join("\n", Entries.Select(e =>
        $"{e.Level} {e.EventName} {e.Message} {string.Join(",", e.Values.Select(kv => $"{kv.Key}={kv.Value}"))} {e.Exception}"));

    public sealed record Entry(LogLevel Level, string? EventName, string Message, IReadOnlyDictionary<string, object?> Values, Exception? Exception);
}
