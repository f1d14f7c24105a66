using System.Security.Cryptography;
using System.Text;
using FlagApi.ClientJourney.Generated.Models;
using static FlagApi.ClientJourney.JourneyService;

namespace FlagApi.ClientJourney;

[Collection(nameof(JourneyService))]
public sealed class HashesJourneyTests(JourneyService service)
{
    [Fact]
    public async Task HashPrefixAnswersTheFullHashAndThenNotModified()
    {
        await service.PublishAsync("2026-W04", [Row(IdentifierKind.Phone, "+8613800138031")]);
        var hash = Sha256Hex("+8613800138031");
        var headers = ResponseHeaders();

        var answer = await service.Anonymous.V1.Hashes[hash[..5]].GetAsync(c => c.Options.Add(headers));

        Assert.Equal(hash[..5], answer!.Prefix);
        var entry = Assert.Single(answer.Hashes!, h => h.Hash == hash);
        Assert.Equal(IdentifierKind.Phone, entry.Kind);
        var etag = Assert.Single(headers.ResponseHeaders["ETag"]);
        // Kiota answers a 304, which has no body, with null.
        Assert.Null(await service.Anonymous.V1.Hashes[hash[..5]].GetAsync(c => c.Headers.Add("If-None-Match", etag)));
    }

    [Fact]
    public async Task HashPrefixesInOneRequestAnswerInOrderWithABadPrefixInItsPlace()
    {
        await service.PublishAsync("2026-W04", [Row(IdentifierKind.Phone, "+8613800138031")]);
        var hash = Sha256Hex("+8613800138031");

        var answer = await service.Anonymous.V1.Hashes.PostAsync(new HashBatchRequest { Prefixes = [hash[..5], "xyz", "00000"] });

        var results = answer!.Results!;
        Assert.Equal([hash[..5], "xyz", "00000"], results.Select(r => r.Prefix));
        Assert.Contains(results[0].Hashes!, h => h.Hash == hash);
        Assert.Equal("invalid_prefix", results[1].Error!.Code);
        Assert.DoesNotContain(results[2].Hashes ?? [], h => h.Hash == hash);
    }

    /// <summary>What a client hashes (README, hash prefixes): lowercase hex SHA-256 of the key's UTF-8 bytes.</summary>
    private static string Sha256Hex(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
