using FlagApi.ClientJourney.Generated.Models;
using static FlagApi.ClientJourney.JourneyService;

namespace FlagApi.ClientJourney;

[Collection(nameof(JourneyService))]
public sealed class ReportsJourneyTests(JourneyService service)
{
    [Fact]
    public async Task CommunityReportIsAcceptedByAReviewerAndCountedInTheStats()
    {
        var received = await service.Anonymous.V1.Reports.PostAsync(new ReportRequest
        {
            Kind = IdentifierKind.Phone,
            Value = "+86 138-0013-8051",
            Category = Category.Loan_or_card,
            Description = "Offered a loan, then asked for a deposit.",
            Evidence = [new() { Type = ReportEvidenceItem_type.Text, Text = "He knew my ID number" }],
        });
        Assert.Equal("+8613800138051", received!.Canonical);
        Assert.Equal("received", received.Status);

        var signal = await service.Anonymous.V1.Lookup["phone"].GetAsync(c => c.QueryParameters.Value = "+8613800138051");
        Assert.Equal(Verdict.Clear, signal!.Verdict);
        Assert.Equal(1, signal.Reports!.Count);

        var queue = await service.Reviewer.V1.Reports.GetAsync();
        var group = Assert.Single(queue!.Items!, g => g.Value == "+8613800138051");
        Assert.Contains(received.Id, group.ReportIds!);
        Assert.Equal(1, group.Reporters);

        var decision = await service.Reviewer.V1.Reports[received.Id!.Value].Decision.PostAsync(new ReportDecisionRequest
        {
            Decision = ReportDecisionRequest_decision.Accept,
            Category = Category.Loan_or_card,
            Risk = Risk.High,
            Reason = "Matches the bank's fraud reports.",
        });
        Assert.Equal("accepted", decision!.Decision);
        var flagged = await service.Anonymous.V1.Lookup["phone"].GetAsync(c => c.QueryParameters.Value = "+8613800138051");
        Assert.Equal(Verdict.Flagged, flagged!.Verdict);

        var stats = await service.Anonymous.V1.Stats.GetAsync();
        Assert.Equal(1, stats!.Reports!.Accepted);
        Assert.Equal(0, stats.Reports.Pending);
        Assert.True(stats.Entries!.Total >= 1);
        Assert.Equal(decision.ListVersion, stats.ListVersion);
    }

    [Fact]
    public async Task StatsCountPublishedListsPerAgency()
    {
        await service.PublishAsync("2026-W06", [Row(IdentifierKind.Domain, "stats-journey.example")]);

        var stats = await service.Anonymous.V1.Stats.GetAsync();

        Assert.True(stats!.Lists!.Total >= 1);
        Assert.Contains(stats.Lists.PerAgency!, a => a.Agency == Agency && a.Lists >= 1);
        Assert.Equal(26, stats.Lists.PerWeek!.Count);
    }
}
