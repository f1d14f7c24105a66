using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FlagApi.Tests.Deployment;

/// <summary>The repository's deployment files, read the way Docker and Compose read them (the parts this repository uses).</summary>
internal static partial class DeploymentFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(RepositoryRoot, relative);

    public static Dockerfile ReadDockerfile() => Dockerfile.Parse(File.ReadAllText(PathOf("Dockerfile")));

    public static YamlNode ReadCompose() => YamlNode.Parse(File.ReadAllText(PathOf("compose.yaml")));

    /// <summary>Every key of src/FlagApi/appsettings.json, flattened with ':' as configuration sees it.</summary>
    public static HashSet<string> AppSettingsKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(File.ReadAllText(PathOf("src/FlagApi/appsettings.json")));
        Flatten(document.RootElement, prefix: null, keys);
        return keys;
    }

    /// <summary>The names a ${NAME}, ${NAME:-default} or ${NAME:?message} in the text refers to.</summary>
    public static IReadOnlyList<string> VariableReferences(string text) =>
        VariableReference().Matches(text).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>True when the value is one variable reference whose default, if any, is empty.</summary>
    public static bool IsOnlyAVariable(string value) => WholeVariable().IsMatch(value.Trim());

    /// <summary>Names whose values are secrets: passwords, keys, tokens.</summary>
    public static bool NamesASecret(string name)
    {
        var last = name.Split([":", "__"], StringSplitOptions.None)[^1];
        return SecretName().IsMatch(last);
    }

    private static void Flatten(JsonElement element, string? prefix, HashSet<string> keys)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var key = prefix is null ? property.Name : $"{prefix}:{property.Name}";
                    keys.Add(key);
                    Flatten(property.Value, key, keys);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Flatten(item, $"{prefix}:{index++}", keys);
                }

                keys.Add(prefix!);
                break;
            default:
                keys.Add(prefix!);
                break;
        }
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "FlagApi.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("The tests do not run inside the repository (no FlagApi.sln above " + AppContext.BaseDirectory + ").");
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"^\$\{[A-Za-z_][A-Za-z0-9_]*(:\?[^}]*|:-)?\}$")]
    private static partial Regex WholeVariable();

    [GeneratedRegex("password|passwd|secret|token|key$", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}

/// <summary>A Dockerfile as instructions (continuation lines joined, comments dropped), grouped by stage.</summary>
internal sealed record Dockerfile(IReadOnlyList<DockerStage> Stages)
{
    public DockerStage Runtime => Stages[^1];

    public IEnumerable<DockerInstruction> Instructions => Stages.SelectMany(s => s.Instructions);

    public static Dockerfile Parse(string text)
    {
        var stages = new List<DockerStage>();
        var logical = new StringBuilder();
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (logical.Length == 0 && (line.TrimStart().StartsWith('#') || line.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                logical.Append(line[..^1]).Append(' ');
                continue;
            }

            logical.Append(line);
            var instruction = logical.ToString().Trim();
            logical.Clear();
            var space = instruction.IndexOf(' ', StringComparison.Ordinal);
            var keyword = instruction[..space].ToUpperInvariant();
            var arguments = instruction[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new DockerStage(parts[0], parts.Length >= 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null, new List<DockerInstruction>()));
                continue;
            }

            ((List<DockerInstruction>)stages[^1].Instructions).Add(new DockerInstruction(keyword, arguments));
        }

        return new Dockerfile(stages);
    }
}

internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    public string Single(string keyword) => Assert.Single(All(keyword));

    /// <summary>The stage's ENV settings, from <c>ENV NAME=value NAME=value</c> instructions.</summary>
    public Dictionary<string, string> Environment()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arguments in All("ENV"))
        {
            foreach (var pair in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                Assert.True(equals > 0, $"ENV {arguments} is not in NAME=value form.");
                settings[pair[..equals]] = pair[(equals + 1)..].Trim('"');
            }
        }

        return settings;
    }
}

internal sealed record DockerInstruction(string Keyword, string Arguments)
{
    /// <summary>The words of an exec-form (JSON array) instruction such as <c>["dotnet", "FlagApi.dll"]</c>.</summary>
    public static string[] ExecForm(string arguments) => JsonSerializer.Deserialize<string[]>(arguments)!;
}

/// <summary>
/// The subset of YAML compose.yaml is written in: block mappings, block sequences of scalars, plain or quoted scalars,
/// and flow sequences kept as their text. Enough to read it without a YAML package.
/// </summary>
internal sealed class YamlNode
{
    private YamlNode(string? scalar, Dictionary<string, YamlNode>? map, List<YamlNode>? items)
    {
        Scalar = scalar;
        Map = map;
        Items = items;
    }

    public string? Scalar { get; }

    public Dictionary<string, YamlNode>? Map { get; }

    public List<YamlNode>? Items { get; }

    public YamlNode this[string key] =>
        Map is not null && Map.TryGetValue(key, out var node) ? node : throw new KeyNotFoundException($"compose.yaml has no '{key}' here.");

    public bool Has(string key) => Map?.ContainsKey(key) == true;

    public IEnumerable<string> ScalarItems => Items?.Select(i => i.Scalar!) ?? [];

    public static YamlNode Parse(string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n')
            .Select(StripComment)
            .Where(l => l.Trim().Length > 0)
            .Select(l => (Indent: l.Length - l.TrimStart(' ').Length, Content: l.Trim()))
            .ToList();
        var position = 0;
        var root = ParseBlock(lines, ref position, 0);
        Assert.True(position == lines.Count, $"compose.yaml: could not read from '{(position < lines.Count ? lines[position].Content : "")}'.");
        return root;
    }

    private static YamlNode ParseBlock(List<(int Indent, string Content)> lines, ref int position, int indent)
    {
        if (lines[position].Content.StartsWith('-'))
        {
            var items = new List<YamlNode>();
            while (position < lines.Count && lines[position].Indent == indent && lines[position].Content.StartsWith('-'))
            {
                items.Add(new YamlNode(Unquote(lines[position].Content[1..].Trim()), null, null));
                position++;
            }

            return new YamlNode(null, null, items);
        }

        var map = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        while (position < lines.Count && lines[position].Indent == indent)
        {
            var content = lines[position].Content;
            var colon = content.IndexOf(": ", StringComparison.Ordinal);
            var key = colon >= 0 ? content[..colon] : content.TrimEnd(':');
            Assert.True(colon >= 0 || content.EndsWith(':'), $"compose.yaml: '{content}' is not a 'key: value' line.");
            position++;
            if (colon >= 0)
            {
                map.Add(Unquote(key), new YamlNode(Unquote(content[(colon + 2)..].Trim()), null, null));
            }
            else if (position < lines.Count && lines[position].Indent > indent)
            {
                map.Add(Unquote(key), ParseBlock(lines, ref position, lines[position].Indent));
            }
            else
            {
                map.Add(Unquote(key), new YamlNode(string.Empty, null, null));
            }
        }

        return new YamlNode(null, map, null);
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;

    private static string StripComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || line[i - 1] == ' '))
            {
                return line[..i].TrimEnd();
            }
        }

        return line.TrimEnd();
    }
}
