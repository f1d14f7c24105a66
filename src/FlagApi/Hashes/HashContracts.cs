using System.Text.Json.Serialization;
using FlagApi.Data;
using FlagApi.Lookup;

namespace FlagApi.Hashes;

public sealed class HashesOptions
{
    public const string Section = "Hashes";

    /// <summary>How long clients and caches may reuse a prefix's answer; a new list version changes its ETag anyway.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 86_400)]
    public int MaxAgeSeconds { get; set; } = 60;

    /// <summary>Most prefixes one <c>POST /v1/hashes</c> may hold (a browser sends a URL's 30 expressions at once).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 100_000)]
    public int MaxPrefixes { get; set; } = 1000;

    /// <summary>A padded response is padded up to the next multiple of this many bytes.</summary>
    [System.ComponentModel.DataAnnotations.Range(256, 1_048_576)]
    public int PaddingBlockBytes { get; set; } = 4096;
}

/// <summary>A flagged entry's full hash: lowercase hex SHA-256 of its UTF-8 match key.</summary>
public sealed record HashEntry(string Hash, string Kind, Category Category, Risk Risk);

/// <summary>Every flagged hash under one 5-hex-digit prefix; <c>padding</c> only when the request asked for it.</summary>
public sealed record HashPrefixResponse(
    string Prefix,
    long ListVersion,
    IReadOnlyList<HashEntry> Hashes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Padding = null);

public sealed record HashBatchRequest(IReadOnlyList<string?>? Prefixes);

/// <summary>One prefix of a batch: its hashes, or an error in its place.</summary>
public sealed record HashBatchResult(
    string? Prefix,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<HashEntry>? Hashes = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ItemError? Error = null);

public sealed record HashBatchResponse(
    long ListVersion,
    IReadOnlyList<HashBatchResult> Results,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Padding = null);
