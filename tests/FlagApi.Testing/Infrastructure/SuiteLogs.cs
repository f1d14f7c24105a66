using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using FlagApi.Tests.Deployment;

namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// Every log line of every service the suite runs, in this process (each <see cref="FlagApiFactory"/>) or as a process
/// of its own (<see cref="ServiceProcess"/>), written to one file and checked for personal data and secrets as it is
/// written, so a leak of an in-process application fails the test that caused it; <c>SuiteLogScanTests</c> reads the
/// whole file again last, service processes' lines included, and names the test of each finding.
/// </summary>
public static class SuiteLogs
{
    private static readonly Lock Gate = new();
    private static readonly ConcurrentQueue<(string Source, PersonalData.Finding Finding)> Found = new();
    private static readonly ConcurrentDictionary<string, IReadOnlyCollection<string>> SecretsBySource = new();
    private static StreamWriter? writer;
    private static int lines;

    /// <summary>
    /// <c>artifacts/logs/suite.log</c> under the repository, or <c>FLAGAPI_SUITE_LOG</c>; a run starts it afresh. Another
    /// test assembly names a file of its own in <c>artifacts/logs</c> (assembly metadata <c>SuiteLog</c> of the test
    /// assembly, the process's entry assembly): test assemblies run side by side, and one would start the other's file afresh.
    /// </summary>
    public static string FilePath { get; } =
        (Assembly.GetEntryAssembly() ?? typeof(SuiteLogs).Assembly).GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "SuiteLog")?.Value is { Length: > 0 } own
            ? RepositoryFiles.PathOf("artifacts", "logs", own)
            : Environment.GetEnvironmentVariable("FLAGAPI_SUITE_LOG") is { Length: > 0 } path ? path : RepositoryFiles.PathOf("artifacts", "logs", "suite.log");

    public static int Lines => Volatile.Read(ref lines);

    /// <summary>The findings of lines written by <paramref name="source"/>.</summary>
    public static IReadOnlyList<PersonalData.Finding> FindingsOf(string source) =>
        [.. Found.Where(f => f.Source == source).Select(f => f.Finding)];

    /// <summary>Fails the test if a line of <paramref name="source"/> held personal data or a secret.</summary>
    public static void AssertClean(string source, string who)
    {
        var findings = FindingsOf(source);
        if (findings.Count > 0)
        {
            Assert.Fail($"{who} logged {string.Join("; ", findings.Take(5).Select(f => $"{f.What} in {f.Field}: {f.Match}"))} (docs/product.md: logs never hold them; every line is in {FilePath}).");
        }
    }

    /// <summary>Whose lines these are: the running test's name, so a finding names the test that caused it.</summary>
    public static string CurrentSource(string what) =>
        $"{what} in {TestContext.Current.Test?.TestDisplayName ?? "(no test)"} #{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>One line as named fields; <paramref name="secrets"/> are values this source was configured with, such as an operator-chosen key.</summary>
    public static void Write(string source, IReadOnlyList<KeyValuePair<string, string?>> fields, IReadOnlyCollection<string> secrets)
    {
        foreach (var finding in Scan(fields, secrets))
        {
            Found.Enqueue((source, finding));
        }

        // The file holds what the service wrote, never the secrets looked for: those stay in memory.
        SecretsBySource.TryAdd(source, secrets);
        var record = JsonSerializer.Serialize(new SuiteLogLine(source, [.. fields.Select(f => new[] { f.Key, f.Value })]));
        lock (Gate)
        {
            if (writer is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
                writer = new StreamWriter(FilePath, append: false) { AutoFlush = true };
            }

            writer.WriteLine(record);
            lines++;
        }
    }

    /// <summary>A line a service process printed: its JSON console log's fields, or the whole line if it is not JSON.</summary>
    public static void WriteProcessLine(string source, string line, IReadOnlyCollection<string> secrets)
    {
        var fields = new List<KeyValuePair<string, string?>>();
        try
        {
            using var json = JsonDocument.Parse(line);
            Flatten(json.RootElement, "", fields);
        }
        catch (JsonException)
        {
            fields.Add(new("(text)", line));
        }

        Write(source, fields, secrets);
    }

    /// <summary>Every finding of every line in the file, read back as it was written.</summary>
    public static IEnumerable<(string Source, PersonalData.Finding Finding)> ScanFile()
    {
        lock (Gate)
        {
            writer?.Flush();
        }

        using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } text)
        {
            var line = JsonSerializer.Deserialize<SuiteLogLine>(text)!;
            var fields = line.Fields.Select(f => new KeyValuePair<string, string?>(f[0]!, f[1])).ToList();
            foreach (var finding in Scan(fields, SecretsBySource.GetValueOrDefault(line.Source) ?? []))
            {
                yield return (line.Source, finding);
            }
        }
    }

    private static IEnumerable<PersonalData.Finding> Scan(IReadOnlyList<KeyValuePair<string, string?>> fields, IReadOnlyCollection<string> secrets)
    {
        foreach (var (field, value) in fields)
        {
            foreach (var finding in PersonalData.Find(field, value))
            {
                yield return finding;
            }

            foreach (var secret in secrets.Where(s => value?.Contains(s, StringComparison.Ordinal) == true))
            {
                yield return new PersonalData.Finding("a configured secret", field, secret);
            }
        }
    }

    private static void Flatten(JsonElement element, string name, List<KeyValuePair<string, string?>> fields)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                // The console formatter writes each scope with a "Message" that is its values again (as CapturedLine.Fields leaves out).
                var structuredScope = name == "Scopes" && element.EnumerateObject().Count() > 1;
                foreach (var property in element.EnumerateObject().Where(p => !(structuredScope && p.Name == "Message")))
                {
                    Flatten(property.Value, property.Name, fields);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, name, fields);
                }

                break;
            case JsonValueKind.String:
                fields.Add(new(name, element.GetString()));
                break;
            default:
                fields.Add(new(name, element.GetRawText()));
                break;
        }
    }

    private sealed record SuiteLogLine(string Source, string?[][] Fields);
}
