using System.Collections.Frozen;

namespace FlagApi.Identifiers;

/// <summary>
/// The app names and package ids a <see cref="MessageScanner"/> looks for. App names cannot be told apart from other
/// words by their shape (云客服 is three ordinary characters), so a message is searched only for the apps a list
/// names; the service builds this from its index, a client from whatever list it holds.
/// </summary>
public sealed class ListedAppNames
{
    /// <summary>A one-character name would be found in nearly every Chinese message.</summary>
    public const int MinNameLength = 2;

    private readonly FrozenDictionary<char, string[]> namesByFirstChar;

    private ListedAppNames(FrozenDictionary<char, string[]> namesByFirstChar, FrozenSet<string> packageIds)
    {
        this.namesByFirstChar = namesByFirstChar;
        PackageIds = packageIds;
    }

    public static ListedAppNames None { get; } = From([]);

    /// <summary>Package ids (<c>com.example.remote</c>), found where a bare domain could stand.</summary>
    internal FrozenSet<string> PackageIds { get; }

    /// <summary>Takes canonical app values (as <see cref="Apps.Canonicalize"/> gives them); others are ignored.</summary>
    public static ListedAppNames From(IEnumerable<string> canonicalApps)
    {
        ArgumentNullException.ThrowIfNull(canonicalApps);
        var names = new Dictionary<char, List<string>>();
        var packageIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var app in canonicalApps)
        {
            if (app.Contains('.', StringComparison.Ordinal))
            {
                packageIds.Add(app);
            }
            else if (app.Length >= MinNameLength)
            {
                if (!names.TryGetValue(app[0], out var list))
                {
                    names[app[0]] = list = [];
                }

                list.Add(app);
            }
        }

        // Longest first, so that 云客服助手 is found as itself and not as 云客服 followed by 助手.
        return new ListedAppNames(
            names.ToFrozenDictionary(p => p.Key, p => p.Value.Distinct(StringComparer.Ordinal).OrderByDescending(n => n.Length).ToArray()),
            packageIds.ToFrozenSet(StringComparer.Ordinal));
    }

    /// <summary>The longest listed name that <paramref name="folded"/> starts with, or null.</summary>
    internal string? LongestAt(ReadOnlySpan<char> folded, Func<int, bool> endsWell)
    {
        if (folded.IsEmpty || !namesByFirstChar.TryGetValue(folded[0], out var names))
        {
            return null;
        }

        foreach (var name in names)
        {
            if (folded.StartsWith(name, StringComparison.Ordinal) && endsWell(name.Length))
            {
                return name;
            }
        }

        return null;
    }
}
