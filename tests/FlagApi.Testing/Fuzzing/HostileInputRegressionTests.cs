using System.Net;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Fuzzing;

/// <summary>Bugs the hostile request generator found, each kept as the request that showed it.</summary>
public abstract class HostileInputRegressionTests(DatabaseTarget target)
{
    [Theory]
    [InlineData("text/html")]
    [InlineData("image/png, text/plain;q=0.5")]
    [InlineData("Ym..fa_,\u00ee,;NPa[\u00d1=\u00ab")]
    public async Task AnAcceptHeaderWithoutJsonStillGetsProblemDetailsForAMissingKey(string accept)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/keys");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.Unauthorized, "missing_api_key");
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }

    [Fact]
    public async Task AnAcceptHeaderWithoutJsonStillGetsProblemDetailsForAPathThatDoesNotExist()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/nothing-here");
        request.Headers.TryAddWithoutValidation("Accept", "text/html");

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        await Problem.AssertAsync(response, HttpStatusCode.NotFound, "not_found");
    }

    [Theory]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=x-no-such-charset")]
    [InlineData("application/json-patch+json; charset=utf-7")]
    [InlineData("application/json; charset=utf-16")]
    public async Task AJsonBodyInACharsetOtherThanUtf8IsRefusedAsAnUnsupportedMediaType(string contentType)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        using var content = new ByteArrayContent("""{"kind":"phone","value":"13900139000","description":"x"}"""u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.PostAsync("/v1/reports", content, TestContext.Current.CancellationToken);

        await Problem.AssertAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task AJsonBodyDeclaredAsUtf8IsStillAccepted()
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();
        using var content = new ByteArrayContent("""{"kind":"phone","value":"13900139000","category":"other","description":"Called about a parcel."}"""u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=\"UTF-8\"");

        var response = await client.PostAsync("/v1/reports", content, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("/v1/batches?agency=%00")]
    [InlineData("/v1/batches?agency=%EF%BF%BD%00%0D%0A")]
    [InlineData("/v1/entries?q=%00")]
    [InlineData("/v1/stats?x%00=1")]
    public async Task AQueryStringHoldingANulCharacterIsABadRequestOnEveryDatabase(string path)
    {
        await using var app = await FlagApiFactory.CreateAsync(target);
        using var client = app.CreateClient();

        var response = await client.GetAsync(path, TestContext.Current.CancellationToken);

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "invalid_parameter");
    }
}
