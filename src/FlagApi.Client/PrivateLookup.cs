using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlagApi.Identifiers;

namespace FlagApi.Client;

/// <summary>A lookup answered by hash prefixes: what matched, computed on this side; the service never saw the identifier.</summary>
/// <param name="Kind">The query's kind.</param>
/// <param name="Canonical">The query's canonical form, computed here.</param>
/// <param name="Flagged">True when the full hash of one of the query's expressions is on the list.</param>
/// <param name="Matches">The expressions whose hashes are listed.</param>
/// <param name="ListVersion">The version of the list that answered.</param>
public sealed record PrivateLookupResult(string Kind, string Canonical, bool Flagged, IReadOnlyList<PrivateMatch> Matches, long ListVersion);

/// <summary>An expression of the query whose full hash is on the list, with the entry's kind, category and risk.</summary>
/// <param name="Expression">The expression (<c>evil.example/1/</c>), which stayed on this side.</param>
/// <param name="Hash">Its SHA-256, lowercase hexadecimal.</param>
/// <param name="Kind">The listed entry's kind.</param>
/// <param name="Category">What kind of fraud.</param>
/// <param name="Risk"><c>low</c>, <c>medium</c> or <c>high</c>.</param>
public sealed record PrivateMatch(string Expression, string Hash, string Kind, string Category, string Risk);

/// <summary>
/// The privacy mode (docs/api-v1.md: <c>GET /v1/hashes/{prefix}</c>): the identifier is canonicalized and hashed
/// here with the same rules as the service, only 5-hex-digit prefixes are sent, and the full hashes
/// that come back are compared locally.
/// </summary>
public static class PrivateLookupExtensions
{
    /// <summary>Looks an identifier up without sending it: only prefixes of its expressions' hashes leave (<c>POST /v1/hashes</c>).</summary>
    /// <param name="client">Calls the service; its <see cref="FlagApiClientOptions.Identifiers"/> rules canonicalize here.</param>
    /// <param name="kind"><c>phone</c>, <c>url</c>, <c>domain</c>, <c>app</c> or <c>account</c>.</param>
    /// <param name="value">The identifier as the user wrote it.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <returns>What matched; a hash-prefix answer lists active entries only, so it never gives the <c>cleared</c> verdict.</returns>
    /// <exception cref="FlagApiException">The identifier is not valid (the same codes as the service's), or the service refused or could not be reached.</exception>
    public static Task<PrivateLookupResult> LookupPrivatelyAsync(this FlagApiClient client, string kind, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var query = HashedQuery.Of(client.Options.Identifiers, kind, value);
        return query.ConfirmAsync(client, query.Expressions, cancellationToken);
    }
}

/// <summary>One expression a lookup probes, with its SHA-256 (lowercase hexadecimal), both computed here.</summary>
internal readonly record struct HashedExpression(string Key, string Hash);

/// <summary>
/// An identifier canonicalized and hashed on this side with the service's rules: every expression a lookup on the service
/// would probe (for a URL: up to 30 host/path combinations and its domains), each with its full hash. The privacy mode and
/// the hash-prefix copy both confirm through it, so neither ever sends more than 5-hex-digit prefixes.
/// </summary>
internal sealed record HashedQuery(IdentifierKind Kind, string Canonical, IReadOnlyList<HashedExpression> Expressions)
{
    /// <exception cref="FlagApiException">The kind is unknown or the identifier is not valid: the service's own codes, refused before anything is sent.</exception>
    public static HashedQuery Of(IdentifierOptions rules, string kind, string value)
    {
        var (parsed, canonical) = Canonicalize(rules, kind, value);
        var expressions = Matching.Probes(parsed, canonical)
            .Select(p => p.Key)
            .Distinct(StringComparer.Ordinal)
            .Select(key => new HashedExpression(key, IdentifierHash.Sha256Hex(key)))
            .ToList();
        return new HashedQuery(parsed, canonical, expressions);
    }

    /// <summary>The identifier's kind and canonical form, or the refusal the service would give it.</summary>
    public static (IdentifierKind Kind, string Canonical) Canonicalize(IdentifierOptions rules, string kind, string value)
    {
        if (!IdentifierKinds.TryParse(kind, out var parsed))
        {
            throw new FlagApiException(null, "unknown_kind", IdentifierKinds.UnknownKindDetail(kind));
        }

        var canonical = Identifier.Canonicalize(parsed, value, rules);
        return canonical.IsValid ? (parsed, canonical.Value!) : throw new FlagApiException(null, canonical.ErrorCode!, canonical.ErrorDetail!);
    }

    /// <summary>
    /// Asks <c>POST /v1/hashes</c> for the 5-hex-digit prefixes of <paramref name="candidates"/> (nothing else is sent) and
    /// compares the full hashes that come back with every expression's, here.
    /// </summary>
    public async Task<PrivateLookupResult> ConfirmAsync(FlagApiClient client, IEnumerable<HashedExpression> candidates, CancellationToken cancellationToken)
    {
        var prefixes = candidates.Select(e => e.Hash[..IdentifierHash.PrefixLength]).Distinct(StringComparer.Ordinal).ToList();
        var body = JsonSerializer.Serialize(new { prefixes }, FlagApiClient.Json);
        using var request = FlagApiResilience.ReadByPost("v1/hashes", body);
        using var response = await client.SendAsync(request, cancellationToken);
        var root = (await response.Content.ReadFromJsonAsync<JsonObject>(FlagApiClient.Json, cancellationToken))!;
        var listed = new Dictionary<string, (string Kind, string Category, string Risk)>(StringComparer.Ordinal);
        foreach (var result in root["results"]!.AsArray())
        {
            foreach (var hash in result!["hashes"]?.AsArray() ?? [])
            {
                listed[hash!["hash"]!.GetValue<string>()] =
                    (hash["kind"]!.GetValue<string>(), hash["category"]!.GetValue<string>(), hash["risk"]!.GetValue<string>());
            }
        }

        var matches = Expressions
            .Where(e => listed.ContainsKey(e.Hash))
            .Select(e => new PrivateMatch(e.Key, e.Hash, listed[e.Hash].Kind, listed[e.Hash].Category, listed[e.Hash].Risk))
            .ToList();
        return new PrivateLookupResult(Kind.ToWire(), Canonical, matches.Count > 0, matches, root["listVersion"]!.GetValue<long>());
    }

    /// <summary>The answer when no expression can be listed, known without asking.</summary>
    public PrivateLookupResult NotListed(long listVersion) => new(Kind.ToWire(), Canonical, false, [], listVersion);
}
