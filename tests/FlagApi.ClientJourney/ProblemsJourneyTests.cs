using FlagApi.ClientJourney.Generated.Models;
using static FlagApi.ClientJourney.JourneyService;

namespace FlagApi.ClientJourney;

[Collection(nameof(JourneyService))]
public sealed class ProblemsJourneyTests(JourneyService service)
{
    [Fact]
    public async Task BadRequestIsATypedProblemWithStatusCodeAndDetail()
    {
        var problem = await Assert.ThrowsAsync<ProblemDetails>(() => service.Anonymous.V1.Lookup["phone"].GetAsync(c => c.QueryParameters.Value = "not a number"));

        Assert.Equal(400, problem.Status);
        Assert.Equal(400, problem.ResponseStatusCode);
        Assert.Equal("invalid_phone", problem.Code);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        Assert.False(string.IsNullOrWhiteSpace(problem.TraceId));
    }

    [Fact]
    public async Task ARefusedListNamesEachRowItCannotPublish()
    {
        var problem = await Assert.ThrowsAsync<ProblemDetails>(() => service.PublishAsync("journey bad rows",
            [Row(IdentifierKind.Phone, "+8613800138071"), Row(IdentifierKind.Phone, "not a number")]));

        Assert.Equal(422, problem.Status);
        Assert.Equal("invalid_rows", problem.Code);
        var row = Assert.Single(problem.Rows!);
        Assert.Equal("invalid_phone", row.Code);
    }

    [Fact]
    public async Task WrongRoleIsAForbiddenProblem()
    {
        var problem = await Assert.ThrowsAsync<ProblemDetails>(() => service.Publisher.V1.Keys.GetAsync());

        Assert.Equal(403, problem.Status);
        Assert.Equal("wrong_role", problem.Code);
    }
}
