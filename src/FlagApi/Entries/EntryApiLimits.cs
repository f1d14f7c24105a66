using FlagApi.Data;

namespace FlagApi.Entries;

/// <summary>What this capability declares for the OpenAPI document and the central tests (<see cref="ApiDeclaration"/>): The entry search, and the category vocabulary wherever a parameter is named for it.</summary>
internal sealed class EntryApiLimits : ApiDeclaration
{
    public override IReadOnlyDictionary<string, Limit> ParametersByName { get; } = new Dictionary<string, Limit>
    {
        ["category"] = OneOf(WireNames.All<Category>),
    };

    public override IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; } = new Dictionary<(string Operation, string Parameter), Limit>
    {
        [("SearchEntries", "status")] = OneOf(WireNames.All<EntryStatus>),
        [("SearchEntries", "source")] = OneOf(() => SourceTypes.All),
        [("SearchEntries", "q")] = Text(EntryQueries.MaxTextLength),
        [("SearchEntries", "pageSize")] = Number(1, EntryQueries.MaxPageSize),
    };
}
