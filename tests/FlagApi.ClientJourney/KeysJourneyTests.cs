using FlagApi.ClientJourney.Generated.Models;

namespace FlagApi.ClientJourney;

[Collection(nameof(JourneyService))]
public sealed class KeysJourneyTests(JourneyService service)
{
    [Fact]
    public async Task AdminIssuesListsAndRevokesKeys()
    {
        var keys = service.Admin.V1.Keys;

        var publisher = await keys.PostAsync(new CreateKeyRequest { Name = "Shenzhen uploader", Role = Role.Publisher, Agency = "Shenzhen PSB" });
        var reviewer = await keys.PostAsync(new CreateKeyRequest { Name = "Appeals desk", Role = Role.Reviewer });

        Assert.NotNull(publisher?.Key);
        Assert.StartsWith(publisher.Prefix!, publisher.Key, StringComparison.Ordinal);
        Assert.Equal("Shenzhen PSB", publisher.Agency);
        Assert.Equal(Role.Reviewer, reviewer?.Role);

        var listed = (await keys.GetAsync())!.Keys!;
        var listedPublisher = Assert.Single(listed, k => k.Id == publisher.Id);
        Assert.Equal(publisher.Prefix, listedPublisher.Prefix);
        Assert.Null(listedPublisher.RevokedAt);
        Assert.Contains(listed, k => k.Id == reviewer!.Id);

        await keys[reviewer!.Id!.Value].DeleteAsync();

        var revoked = Assert.Single((await keys.GetAsync())!.Keys!, k => k.Id == reviewer.Id);
        Assert.NotNull(revoked.RevokedAt);
        var problem = await Assert.ThrowsAsync<ProblemDetails>(() => service.Client(reviewer.Key).V1.Reports.GetAsync());
        Assert.Equal(401, problem.Status);
    }
}
