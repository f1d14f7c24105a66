using FlagApi.ClientJourney.Generated.Models;
using static FlagApi.ClientJourney.JourneyService;

namespace FlagApi.ClientJourney;

public sealed class AppealsJourneyTests(JourneyService service) : IClassFixture<JourneyService>
{
    private const string OneOfWithoutDiscriminator =
        "openapi/v1.json: GET /v1/appeals/{appeal} answers an undiscriminated oneOf (AppellantAppealView | ReviewAppealDetail), so the generated wrapper fills neither view";

    [Fact(Skip = OneOfWithoutDiscriminator + "; and POST /v1/appeals declares divergent 200/201 bodies, so the generated filing answer is AppealAlreadyOpen, without the access token.")]
    public async Task AppellantFilesFollowsAndAnswersAnAppeal()
    {
        var receipt = await FileAsync("+8613800138061");
        // Once the 201 body is the generated answer, this is receipt.AccessToken.
        var token = Assert.IsType<string>(receipt.AdditionalData["accessToken"]);
        var appeal = service.Anonymous.V1.Appeals[receipt.TrackingCode!];

        var read = await appeal.GetAsync(c => c.Headers.Add("X-Appeal-Token", token));

        var view = read!.AppellantAppealView;
        Assert.NotNull(view);
        Assert.Equal(AppealStatus.Submitted, view.Status);
        Assert.Equal("+8613800138061", view.Value);
        var answered = await appeal.Messages.PostAsync(new AppealMessageRequest { Message = "The contract is attached." }, c => c.Headers.Add("X-Appeal-Token", token));
        Assert.Equal(AppealStatus.Submitted, answered!.Status);
    }

    [Fact(Skip = OneOfWithoutDiscriminator + ": the reviewer cannot read the appeal (and its ETag with it) to decide on; the reviewer routes also share /v1/appeals/{…} with the tracking code.")]
    public async Task ReviewerAssignsRequestsInformationAndDecidesOnTheVersionTheySaw()
    {
        var receipt = await FileAsync("+8613800138062");
        var appeal = service.Reviewer.V1.Appeals[receipt.Id!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)];

        var assigned = await appeal.Assign.PostAsync(new AssignRequest());
        Assert.Equal(AppealStatus.In_review, assigned!.Status);
        var waiting = await appeal.RequestInfo.PostAsync(new RequestInfoRequest { Message = "Please send the carrier's contract." });
        Assert.Equal(AppealStatus.Needs_info, waiting!.Status);

        var headers = ResponseHeaders();
        var seen = (await appeal.GetAsync(c => c.Options.Add(headers)))!.ReviewAppealDetail;
        Assert.NotNull(seen);
        Assert.Equal(AppealStatus.Needs_info, seen.Status);
        var etag = Assert.Single(headers.ResponseHeaders["ETag"]);

        var decided = await appeal.Decision.PostAsync(
            new DecisionRequest { Decision = DecisionRequest_decision.Approve, Reason = "The carrier confirmed the owner.", Verification = DecisionRequest_verification.Carrier_real_name },
            c => c.Headers.Add("If-Match", etag));
        Assert.Equal(AppealStatus.Approved, decided!.Status);
        var stale = await Assert.ThrowsAsync<ProblemDetails>(() => appeal.Decision.PostAsync(
            new DecisionRequest { Decision = DecisionRequest_decision.Reject, Reason = "Second thoughts." }, c => c.Headers.Add("If-Match", etag)));
        Assert.Equal(412, stale.Status);
        var lookup = await service.Anonymous.V1.Lookup["phone"].GetAsync(c => c.QueryParameters.Value = "+8613800138062");
        Assert.Equal(Verdict.Cleared, lookup!.Verdict);
    }

    [Fact]
    public async Task ReviewerDecisionWithoutIfMatchIsRefused()
    {
        var receipt = await FileAsync("+8613800138063");
        var appeal = service.Reviewer.V1.Appeals[receipt.Id!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var assigned = await appeal.Assign.PostAsync(new AssignRequest());
        Assert.Equal(AppealStatus.In_review, assigned!.Status);

        var problem = await Assert.ThrowsAsync<ProblemDetails>(() => appeal.Decision.PostAsync(
            new DecisionRequest { Decision = DecisionRequest_decision.Approve, Reason = "Looks fine.", Verification = DecisionRequest_verification.Callback }));

        Assert.Equal(428, problem.Status);
        Assert.Equal("precondition_required", problem.AdditionalData["code"]);
    }

    private async Task<AppealAlreadyOpen> FileAsync(string phone)
    {
        await service.PublishAsync($"appeal {phone}", [Row(ListUploadRow_kind.Phone, phone)]);
        var receipt = await service.Anonymous.V1.Appeals.PostAsync(new AppealRequest
        {
            Kind = AppealRequest_kind.Phone,
            Value = phone,
            Appellant = new AppellantDetails { Name = "Li Wei", Contact = "owner@example.com" },
            Statement = "This is my own number; I am a nurse.",
            Evidence = [new EvidenceItem { Type = EvidenceItem_type.Text, Text = "Mine since 2012." }],
        });
        Assert.Equal(AppealStatus.Submitted, receipt!.Status);
        return receipt;
    }
}
