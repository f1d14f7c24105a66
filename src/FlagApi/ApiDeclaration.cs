using FlagApi.Identifiers;
using FlagApi.Problems;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace FlagApi;

/// <summary>
/// A bound on what clients send, written into the OpenAPI document: each is the constant or option the validation reads,
/// never a number of its own.
/// </summary>
internal sealed record Limit(
    Func<IServiceProvider, long>? MaxLength = null,
    Func<IReadOnlyCollection<string>>? Enum = null,
    Func<IServiceProvider, long>? MaxItems = null,
    string? Pattern = null,
    string? Format = null,
    Limit? Each = null,
    JsonSchemaType? Type = null,
    Func<IServiceProvider, long>? Minimum = null,
    Func<IServiceProvider, long>? Maximum = null,
    bool MinimumExclusive = false);

/// <summary>
/// What one capability declares beside its contracts, for the OpenAPI document (<see cref="ApiDocsLimits"/>) and the
/// central tests (the hostile-request fuzzer, the authorization matrix): the limits of the fields and parameters it reads,
/// the operations it serves with a method other than GET that store nothing, and the refusals of a caller whose role is
/// admitted but who does not own the resource. Each capability keeps one in its folder (e.g. <c>Lists/ListApiLimits.cs</c>)
/// and registers it in its <c>Add*</c> with <see cref="ApiDeclarationExtensions.AddApiDeclaration{T}"/>.
/// </summary>
internal abstract class ApiDeclaration
{
    private static readonly Dictionary<(Type Record, string Member), Limit> NoMembers = [];

    private static readonly Dictionary<string, Limit> NoParametersByName = [];

    private static readonly Dictionary<(string Operation, string Parameter), Limit> NoParameters = [];

    private static readonly Dictionary<string, string> NoOwnerRefusals = [];

    private static readonly HashSet<string> NoReadOnlyOperations = [];

    /// <summary>Members of request bodies, by record and JSON name.</summary>
    public virtual IReadOnlyDictionary<(Type Record, string Member), Limit> Members => NoMembers;

    /// <summary>Parameters whose name means the same on every operation.</summary>
    public virtual IReadOnlyDictionary<string, Limit> ParametersByName => NoParametersByName;

    /// <summary>Parameters of one operation, by operation id and name.</summary>
    public virtual IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters => NoParameters;

    /// <summary>Operations, by id, sent with a method other than GET (a batch read as POST) that change nothing stored.</summary>
    public virtual IReadOnlySet<string> ReadOnlyOperations => NoReadOnlyOperations;

    /// <summary>
    /// Operations, by id, that refuse (403) a caller of an admitted role the resource of another agency, with the problem code
    /// it gets. Every other refusal of a caller follows from the operation's authorization policy.
    /// </summary>
    public virtual IReadOnlyDictionary<string, string> OwnerRefusals => NoOwnerRefusals;

    protected static Limit Text(int maxLength) => new(_ => maxLength);

    protected static Limit Text(Func<IServiceProvider, long> maxLength, string? format = null) => new(maxLength, Format: format);

    protected static Limit OneOf(Func<IReadOnlyCollection<string>> values) => new(Enum: values);

    /// <summary>A number the handler reads from the query's text (so a bad one gets its own 400), documented as the number it is.</summary>
    protected static Limit Number(long minimum, long maximum) => new(Type: JsonSchemaType.Integer, Minimum: _ => minimum, Maximum: _ => maximum);

    protected static Limit Number<TOptions>(long minimum, Func<TOptions, long> maximum) where TOptions : class =>
        new(Type: JsonSchemaType.Integer, Minimum: _ => minimum, Maximum: services => Option(services, maximum));

    protected static readonly Limit Boolean = new(Type: JsonSchemaType.Boolean);

    /// <summary>A calendar date, <c>yyyy-MM-dd</c>.</summary>
    protected static readonly Limit Date = new(_ => 10, Pattern: @"^\d{4}-\d{2}-\d{2}$", Format: "date");

    protected static Limit Items(int maxItems) => new(MaxItems: _ => maxItems);

    protected static Limit Items<TOptions>(Func<TOptions, long> maxItems) where TOptions : class =>
        new(MaxItems: services => Option(services, maxItems));

    protected static long Option<TOptions>(IServiceProvider services, Func<TOptions, long> read) where TOptions : class =>
        read(services.GetRequiredService<IOptions<TOptions>>().Value);

    protected static readonly Limit IdentifierKinds = OneOf(() => [.. Enum.GetValues<IdentifierKind>().Select(k => k.ToWire())]);

    protected static readonly Limit IdentifierValue = Text(services => Option<IdentifierOptions>(services, o => o.MaxInputLength));

    /// <summary>The kinds of evidence a report or an appeal carries (<see cref="EvidenceJson"/>).</summary>
    protected static readonly Limit EvidenceType = OneOf(() => ["text", "link"]);

    /// <summary>
    /// Free text in the URL that no handler bounds: a filter that matches nothing when too long, or a tracking code
    /// a person may space out as they like. A request target longer than this is refused (414 uri_too_long) before routing.
    /// </summary>
    protected static readonly Limit BoundByRequestLine = Text(services => services.GetRequiredService<RequestSizeLimits>().MaxRequestTargetBytes);

    /// <summary>Only the request body limit bounds these: a value longer than the body cannot arrive.</summary>
    protected static readonly Limit BoundByBody = Text(services => Option<LimitsOptions>(services, o => o.MaxRequestBodyBytes));
}

internal static class ApiDeclarationExtensions
{
    /// <summary>Registers a capability's declaration; registering the same one again (from a second <c>Add*</c>) is harmless.</summary>
    public static IServiceCollection AddApiDeclaration<T>(this IServiceCollection services) where T : ApiDeclaration
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ApiDeclaration, T>());
        return services;
    }
}

/// <summary>Parameters whose name means the same wherever it appears, whichever capability serves the operation.</summary>
internal sealed class SharedApiLimits : ApiDeclaration
{
    public override IReadOnlyDictionary<string, Limit> ParametersByName { get; } = new Dictionary<string, Limit>
    {
        ["kind"] = IdentifierKinds,
        ["page"] = Number(1, int.MaxValue),
    };
}

/// <summary>Every capability's declarations, gathered once; a key two capabilities both declare is a startup error.</summary>
internal sealed class ApiDeclarations
{
    public ApiDeclarations(IEnumerable<ApiDeclaration> declarations)
    {
        All = [.. declarations];
        Members = Merge(All.SelectMany(d => d.Members), "body member");
        ParametersByName = Merge(All.SelectMany(d => d.ParametersByName), "parameter");
        Parameters = Merge(All.SelectMany(d => d.Parameters), "operation parameter");
        OwnerRefusals = Merge(All.SelectMany(d => d.OwnerRefusals), "owner refusal of");
        ReadOnlyOperations = All.SelectMany(d => d.ReadOnlyOperations).ToHashSet(StringComparer.Ordinal);
    }

    public IReadOnlyList<ApiDeclaration> All { get; }

    public IReadOnlyDictionary<(Type Record, string Member), Limit> Members { get; }

    public IReadOnlyDictionary<string, Limit> ParametersByName { get; }

    public IReadOnlyDictionary<(string Operation, string Parameter), Limit> Parameters { get; }

    public IReadOnlyDictionary<string, string> OwnerRefusals { get; }

    public IReadOnlySet<string> ReadOnlyOperations { get; }

    private static Dictionary<TKey, TValue> Merge<TKey, TValue>(IEnumerable<KeyValuePair<TKey, TValue>> pairs, string what) where TKey : notnull
    {
        var merged = new Dictionary<TKey, TValue>();
        foreach (var (key, value) in pairs)
        {
            if (!merged.TryAdd(key, value))
            {
                throw new InvalidOperationException($"The {what} {key} is declared by two capabilities; one must own it.");
            }
        }

        return merged;
    }
}
