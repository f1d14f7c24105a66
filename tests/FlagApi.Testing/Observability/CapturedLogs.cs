using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace FlagApi.Tests.Observability;

/// <summary>One line as a log sink receives it: the rendered message, its structured values and the values of every scope around it.</summary>
public sealed record CapturedLine(
    string Category,
    LogLevel Level,
    string Message,
    IReadOnlyDictionary<string, string?> State,
    IReadOnlyList<IReadOnlyDictionary<string, string?>> Scopes,
    string? Exception)
{
    /// <summary>The scope value named <paramref name="name"/>, innermost first.</summary>
    public string? Scope(string name) =>
        Scopes.Reverse().Select(s => s.GetValueOrDefault(name)).FirstOrDefault(v => v is not null);

    /// <summary>
    /// The line as named fields: category, message, structured values, scope values and exception. A structured state's
    /// or scope's own text is left out: it is its values again, and it would hide their names (a trace id is all digits at times).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Fields() =>
    [
        new("Category", Category),
        new("Message", Message),
        .. Named(State),
        .. Scopes.SelectMany(Named),
        new("Exception", Exception),
    ];

    private static IEnumerable<KeyValuePair<string, string?>> Named(IReadOnlyDictionary<string, string?> values) =>
        values.Count > 1 ? values.Where(v => v.Key != "(text)") : values;

    /// <summary>Everything a formatter could write for this line.</summary>
    public string AllText()
    {
        var text = new StringBuilder().Append(Category).Append(' ').Append(Message);
        foreach (var (key, value) in State.Concat(Scopes.SelectMany(s => s)))
        {
            text.Append(' ').Append(key).Append('=').Append(value);
        }

        return text.Append(' ').Append(Exception).ToString();
    }
}

/// <summary>
/// A logger provider that keeps every line, with its scopes read when it is written, as the console's JSON formatter
/// reads them; or, given <paramref name="written"/>, hands each line on instead of keeping it.
/// </summary>
public sealed class CapturedLogs(Action<CapturedLine>? written = null) : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLine> lines = new();
    private readonly Action<CapturedLine>? written = written;
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<CapturedLine> Lines => [.. lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private static Dictionary<string, string?> Values(object? state)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (var (key, value) in pairs)
            {
                values[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        values["(text)"] = state?.ToString();
        return values;
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var around = new List<IReadOnlyDictionary<string, string?>>();
            owner.scopes.ForEachScope((scope, list) => list.Add(Values(scope)), around);
            var line = new CapturedLine(category, logLevel, formatter(state, exception), Values(state), around, exception?.ToString());
            if (owner.written is { } write)
            {
                write(line);
            }
            else
            {
                owner.lines.Enqueue(line);
            }
        }
    }
}
