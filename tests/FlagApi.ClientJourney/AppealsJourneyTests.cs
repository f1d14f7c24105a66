using FlagApi.ClientJourney.Generated.Models;
using static FlagApi.ClientJourney.JourneyService;

namespace FlagApi.ClientJourney;

[Collection(nameof(JourneyService))]
public sealed class AppealsJourneyTests(JourneyService service)
{
    private const string TokenHeader = "X-Appeal-Token";

    [Fact]
    public async Task AppellantFilesFollowsAndAnswersAnAppeal()
    {
        var receipt = await FileAsync("+8613800138061");
        Assert.NotNull(receipt.AccessToken);
        var appeal = service.Anonymous.V1.Appeals[receipt.TrackingCode!];

        var view = await appeal.GetAsync(c => c.Headers.Add(TokenHeader, receipt.AccessToken!));

        Assert.Equal(AppealStatus.Submitted, view!.Status);
        Assert.Equal("+8613800138061", view.Value);
        Assert.Equal(IdentifierKind.Phone, view.Kind);
        Assert.Equal("Mine since 2012.", Assert.Single(view.Evidence!).Text);
        var answered = await appeal.Messages.PostAsync(new AppealMessageRequest { Message = "The contract is attached." }, c => c.Headers.Add(TokenHeader, receipt.AccessToken!));
        Assert.Equal(AppealStatus.Submitted, answered!.Status);

        // Filing again from the same contact names the open appeal, without a new token: the same generated type.
        var again = await SubmitAsync("+8613800138061");
        Assert.Equal(receipt.TrackingCode, again.TrackingCode);
        Assert.Null(again.AccessToken);
        Assert.False(string.IsNullOrEmpty(again.Detail));

        var wrongToken = await Assert.ThrowsAsync<ProblemDetails>(() => appeal.GetAsync(c => c.Headers.Add(TokenHeader, "at_wrong")));
        Assert.Equal("appeal_not_found", wrongToken.Code);
    }

    [Fact]
    public async Task ReviewerAssignsRequestsInformationAndDecidesOnTheVersionTheySaw()
    {
        var receipt = await FileAsync("+8613800138062");
        var appeal = service.Reviewer.V1.Review.Appeals[receipt.Id!.Value];

        var queue = await service.Reviewer.V1.Review.Appeals.GetAsync(c => c.QueryParameters.Status = AppealStatus.Submitted);
        Assert.Contains(queue!.Items!, item => item.Id == receipt.Id && item.Kind == IdentifierKind.Phone);
        var assigned = await appeal.Assign.PostAsync(new AssignRequest());
        Assert.Equal(AppealStatus.In_review, assigned!.Status);
        var waiting = await appeal.RequestInfo.PostAsync(new RequestInfoRequest { Message = "Please send the carrier's contract." });
        Assert.Equal(AppealStatus.Needs_info, waiting!.Status);

        var headers = ResponseHeaders();
        var seen = await appeal.GetAsync(c => c.Options.Add(headers));
        Assert.Equal(AppealStatus.Needs_info, seen!.Status);
        Assert.Equal("Mine since 2012.", Assert.Single(seen.Evidence!).Text);
        Assert.NotEmpty(seen.Entry!.History!);
        Assert.NotNull(seen.Entry.History![0].After!.Status);
        var etag = Assert.Single(headers.ResponseHeaders["ETag"]);

        var decided = await appeal.Decision.PostAsync(
            new DecisionRequest { Decision = DecisionRequest_decision.Approve, Reason = "The carrier confirmed the owner.", Verification = Verification.Carrier_real_name },
            c => c.Headers.Add("If-Match", etag));
        Assert.Equal(AppealStatus.Approved, decided!.Status);
        var stale = await Assert.ThrowsAsync<ProblemDetails>(() => appeal.Decision.PostAsync(
            new DecisionRequest { Decision = DecisionRequest_decision.Reject, Reason = "Second thoughts." }, c => c.Headers.Add("If-Match", etag)));
        Assert.Equal(412, stale.Status);
        Assert.Equal("stale_appeal", stale.Code);
        var lookup = await service.Anonymous.V1.Lookup["phone"].GetAsync(c => c.QueryParameters.Value = "+8613800138062");
        Assert.Equal(Verdict.Cleared, lookup!.Verdict);

        var appellantView = await service.Anonymous.V1.Appeals[receipt.TrackingCode!].GetAsync(c => c.Headers.Add(TokenHeader, receipt.AccessToken!));
        Assert.Equal(AppealStatus.Approved, appellantView!.Status);
        Assert.Equal("The carrier confirmed the owner.", appellantView.Decision!.Reason);
    }

    [Fact]
    public async Task ReviewerDecisionWithoutIfMatchIsRefused()
    {
        var receipt = await FileAsync("+8613800138063");
        var appeal = service.Reviewer.V1.Review.Appeals[receipt.Id!.Value];
        var assigned = await appeal.Assign.PostAsync(new AssignRequest());
        Assert.Equal(AppealStatus.In_review, assigned!.Status);

        var problem = await Assert.ThrowsAsync<ProblemDetails>(() => appeal.Decision.PostAsync(
            new DecisionRequest { Decision = DecisionRequest_decision.Approve, Reason = "Looks fine.", Verification = Verification.Callback }));

        Assert.Equal(428, problem.Status);
        Assert.Equal("precondition_required", problem.Code);
    }

    private async Task<AppealReceipt> FileAsync(string phone)
    {
        await service.PublishAsync($"appeal {phone}", [Row(IdentifierKind.Phone, phone)]);
        var receipt = await SubmitAsync(phone);
        Assert.Equal(AppealStatus.Submitted, receipt.Status);
        return receipt;
    }

    private async Task<AppealReceipt> SubmitAsync(string phone) =>
        (await service.Anonymous.V1.Appeals.PostAsync(new AppealRequest
        {
            Kind = IdentifierKind.Phone,
            Value = phone,
            Appellant = new AppellantDetails { Name = "Li Wei", Contact = "owner@example.com" },
            Statement = "This is my own number; I am a nurse.",
            Evidence = [new EvidenceItem { Type = EvidenceItem_type.Text, Text = "Mine since 2012." }],
        }))!;
}
