using System.Text;
using System.Text.RegularExpressions;

namespace FlagApi.Readme;

/// <summary>One shell command of the README, as written (continuation lines, multi-line quotes and here-documents included).</summary>
/// <param name="Text">The command verbatim, comments included.</param>
/// <param name="Line">Its first line in the README, counted from 1.</param>
public sealed record ReadmeCommand(string Text, int Line)
{
    public override string ToString() => $"README line {Line}: {Text}";
}

/// <summary>A fenced code block of the README.</summary>
/// <param name="Language">The fence's info string (<c>sh</c>, <c>json</c>, …), empty without one.</param>
/// <param name="NotRunBecause">The reason given in a <c>&lt;!-- not run by tests/FlagApi.Readme: … --&gt;</c> line right above the fence.</param>
public sealed record ReadmeBlock(string Language, string Text, int Line, string? NotRunBecause)
{
    public bool IsShell => Language is "sh" or "bash" or "shell" or "console";
}

/// <summary>The README's code blocks, and the shell commands in them.</summary>
public static partial class ReadmeDocument
{
    public static IReadOnlyList<ReadmeBlock> Blocks(string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var blocks = new List<ReadmeBlock>();
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            var start = i;
            var body = new StringBuilder();
            for (i++; i < lines.Length && !lines[i].StartsWith(fence.Groups["ticks"].Value, StringComparison.Ordinal); i++)
            {
                body.Append(lines[i]).Append('\n');
            }

            var marker = start > 0 ? NotRunMarker().Match(lines[start - 1]) : Match.Empty;
            blocks.Add(new ReadmeBlock(fence.Groups["info"].Value.Trim(), body.ToString(), start + 2, marker.Success ? marker.Groups["reason"].Value.Trim() : null));
        }

        return blocks;
    }

    /// <summary>
    /// Splits a shell block into commands the way the shell reads them: a command goes on past a line that ends in a
    /// backslash, inside an open quote, and through a here-document to its delimiter; a <c>#</c> that starts a word
    /// outside quotes starts a comment.
    /// </summary>
    public static IReadOnlyList<ReadmeCommand> Commands(ReadmeBlock block)
    {
        var commands = new List<ReadmeCommand>();
        var current = new StringBuilder();
        var first = 0;
        var (single, @double) = (false, false);
        var hereDocuments = new Queue<string>();
        var lines = block.Text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            if (current.Length == 0)
            {
                if (string.IsNullOrWhiteSpace(line) || line.TrimStart().StartsWith('#'))
                {
                    continue;
                }

                first = block.Line + n;
            }

            current.Append(line).Append('\n');
            if (hereDocuments.Count > 0)
            {
                if (line.TrimStart('\t') == hereDocuments.Peek())
                {
                    hereDocuments.Dequeue();
                }
            }
            else
            {
                var continued = Scan(line, ref single, ref @double, hereDocuments);
                if (continued || single || @double)
                {
                    continue;
                }
            }

            if (hereDocuments.Count == 0)
            {
                commands.Add(new ReadmeCommand(current.ToString().TrimEnd('\n'), first));
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            throw new FormatException($"README line {first}: the command does not end (an open quote, a trailing backslash or a here-document without its delimiter).");
        }

        return commands;
    }

    /// <summary>Reads one line's quotes, comment and here-document starts; true when it ends in a continuing backslash.</summary>
    private static bool Scan(string line, ref bool single, ref bool @double, Queue<string> hereDocuments)
    {
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (single)
            {
                single = c != '\'';
            }
            else if (@double)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    @double = false;
                }
            }
            else if (c == '\\')
            {
                if (i == line.Length - 1)
                {
                    return true;
                }

                i++;
            }
            else if (c == '\'')
            {
                single = true;
            }
            else if (c == '"')
            {
                @double = true;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return false;
            }
            else if (c == '<' && HereDocument().Match(line, i) is { Success: true } here)
            {
                hereDocuments.Enqueue(here.Groups["word"].Value);
                i += here.Length - 1;
            }
        }

        return false;
    }

    [GeneratedRegex(@"^(?<ticks>```+)(?<info>[^`]*)$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!--\s*not run by tests/FlagApi\.Readme:(?<reason>.+?)-->\s*$")]
    private static partial Regex NotRunMarker();

    [GeneratedRegex(@"\G<<-?\s*(['""]?)(?<word>[A-Za-z_][A-Za-z0-9_]*)\1")]
    private static partial Regex HereDocument();
}
