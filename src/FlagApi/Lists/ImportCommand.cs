using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using FlagApi.Data;

namespace FlagApi.Lists;

/// <summary>
/// <c>dotnet run --project src/FlagApi -- import FILE [--agency NAME] [--reference REF] [--title TITLE] [--format csv|json]</c>:
/// loads a list in one transaction, all rows or none, and exits non-zero on failure.
/// </summary>
public sealed class ImportCommand : ICommand
{
    public const string Name = "import";

    string ICommand.Name => Name;

    Task<int> ICommand.RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter errorOutput, CancellationToken cancellationToken) =>
        RunAsync(services, [Name, .. args], output, errorOutput, cancellationToken);

    [ModuleInitializer]
    internal static void Declare() => CommandLine.Declare(Name);

    public const int Ok = 0;
    public const int InvalidRows = 1;
    public const int Usage = 2;
    public const int Conflict = 3;
    public const int DatabaseUnusable = 4;

    private const string UsageText =
        "usage: FlagApi import FILE [--agency NAME] [--reference REF] [--title TITLE] [--published-on YYYY-MM-DD] [--format csv|json] [--partial]\n" +
        "                           [--notice-reason TEXT] [--notice-contact TEXT]\n" +
        "  FILE is CSV with header kind,value,category,risk,note or JSON {\"entries\":[{kind,value,category,risk,note}]}.\n" +
        "  Without --reference the list is identified by its content, so importing the same file twice changes nothing.\n" +
        "  All rows or none; --partial publishes the good rows and lists the rejected ones.\n" +
        "  --notice-reason and --notice-contact are the reason and the contact every flagged lookup's notice gives for the list.";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        if (!TryParse(args[1..], out var options, out var problem))
        {
            await error.WriteLineAsync(problem);
            await error.WriteLineAsync(UsageText);
            return Usage;
        }

        if (!File.Exists(options.File))
        {
            await error.WriteLineAsync($"The file '{options.File}' does not exist.");
            return Usage;
        }

        var format = options.Format ?? ListFile.GuessFormat(options.File);
        if (format is null)
        {
            await error.WriteLineAsync($"Cannot tell the format of '{options.File}' from its extension; pass --format csv or --format json.");
            return Usage;
        }

        var stopwatch = Stopwatch.StartNew();
        await using var scope = services.CreateAsyncScope();
        if (!await CommandDatabase.PrepareAsync(scope.ServiceProvider, error, cancellationToken))
        {
            return DatabaseUnusable;
        }

        var importer = scope.ServiceProvider.GetRequiredService<ListImporter>();

        ListFileContent content;
        await using (var stream = File.OpenRead(options.File))
        {
            content = await ListFile.ReadAsync(stream, format.Value, cancellationToken: cancellationToken);
        }

        var readTime = stopwatch.Elapsed;
        var submission = new ListSubmission(
            options.Agency ?? "local",
            options.Reference,
            options.Title,
            "import",
            "import-command",
            options.PublishedOn,
            options.Partial ? ListMode.Partial : ListMode.All,
            options.NoticeReason,
            options.NoticeContact);
        var outcome = await importer.ImportAsync(content, submission, cancellationToken);
        var validation = outcome.Validation;
        if (outcome.Result is null)
        {
            foreach (var rowError in validation.Errors)
            {
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"line {rowError.Line}: {rowError.Code}: {rowError.Detail}"));
            }

            await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Nothing was imported: {validation.Errors.Count} of {validation.Rows} rows cannot be published. Fix them and import the file again."));
            return InvalidRows;
        }

        var result = outcome.Result!;
        switch (result.Status)
        {
            case PublishStatus.ReferenceConflict:
                await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"List '{submission.Agency} {outcome.Reference}' was already published (#{result.ListId}) with different content; nothing was imported. Use a new --reference."));
                return Conflict;
            case PublishStatus.AlreadyPublished:
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"List '{submission.Agency} {outcome.Reference}' was already imported as #{result.ListId} with the same content; nothing changed."));
                return Ok;
            default:
                foreach (var rejected in validation.Errors)
                {
                    await error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"rejected line {rejected.Line}: {rejected.Code}: {rejected.Detail}"));
                }

                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Imported list #{result.ListId} '{submission.Agency} {outcome.Reference}': {validation.Entries.Count} entries from {validation.Rows} rows " +
                    $"({result.Added} new, {result.Reflagged} flagged again, {result.Updated} updated, {result.SourceAdded} already flagged, {validation.Duplicates} duplicate rows, {validation.Errors.Count} rejected) " +
                    $"at list version {result.ListVersion} in {stopwatch.Elapsed.TotalSeconds:0.0} s " +
                    $"(read {readTime.TotalSeconds:0.0} s, validate {outcome.ValidationTime.TotalSeconds:0.0} s, write {outcome.WriteTime.TotalSeconds:0.0} s)."));
                return Ok;
        }
    }

    private sealed record Options(
        string File, string? Agency, string? Reference, string? Title, ListFileFormat? Format, DateOnly? PublishedOn, bool Partial, string? NoticeReason, string? NoticeContact);

    private static bool TryParse(string[] args, out Options options, out string problem)
    {
        options = null!;
        problem = string.Empty;
        string? file = null, agency = null, reference = null, title = null, noticeReason = null, noticeContact = null;
        ListFileFormat? format = null;
        DateOnly? publishedOn = null;
        var partial = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg == "--partial")
            {
                partial = true;
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (file is not null)
                {
                    problem = $"Only one FILE can be imported at a time; got '{file}' and '{arg}'.";
                    return false;
                }

                file = arg;
                continue;
            }

            if (i + 1 >= args.Length || string.IsNullOrWhiteSpace(args[i + 1]))
            {
                problem = $"{arg} needs a value.";
                return false;
            }

            var value = args[++i].Trim();
            switch (arg)
            {
                case "--agency": agency = value; break;
                case "--reference": reference = value; break;
                case "--title": title = value; break;
                case "--format" when Enum.TryParse<ListFileFormat>(value, ignoreCase: true, out var parsed): format = parsed; break;
                case "--format":
                    problem = $"--format must be csv or json, not '{value}'.";
                    return false;
                case "--published-on" when DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                    publishedOn = date;
                    break;
                case "--published-on":
                    problem = $"--published-on must be a date like 2025-06-02, not '{value}'.";
                    return false;
                case "--notice-reason" when IsNoticeText(value, ListImporter.MaxNoticeReasonLength):
                    noticeReason = value;
                    break;
                case "--notice-reason":
                    problem = $"--notice-reason must be at most {ListImporter.MaxNoticeReasonLength} characters without control characters.";
                    return false;
                case "--notice-contact" when IsNoticeText(value, ListImporter.MaxNoticeContactLength):
                    noticeContact = value;
                    break;
                case "--notice-contact":
                    problem = $"--notice-contact must be at most {ListImporter.MaxNoticeContactLength} characters without control characters.";
                    return false;
                default:
                    problem = $"Unknown option {arg}.";
                    return false;
            }
        }

        if (file is null)
        {
            problem = "Name the list FILE to import.";
            return false;
        }

        options = new Options(CommandLine.CallerPath(file), agency, reference, title, format, publishedOn, partial, noticeReason, noticeContact);
        return true;
    }

    private static bool IsNoticeText(string value, int maxLength) => value.Length <= maxLength && !value.Any(char.IsControl);
}
