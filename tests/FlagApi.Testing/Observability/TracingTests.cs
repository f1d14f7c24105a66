using System.Net;
using System.Net.Http.Json;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Observability;

/// <summary>Traces leave through OpenTelemetry's own OTLP exporter, received on loopback: what a collector would store.</summary>
public abstract class TracingTests(DatabaseTarget target)
{
    [Fact]
    public async Task SpansExportedOverOtlpCarryTheCallersTraceIdAndNoIdentifierLookedUpOrReported()
    {
        await using var receiver = OtlpReceiver.Start();
        const string callerTrace = "0af7651916cd43dd8448eb211c80319c";
        var app = await FlagApiFactory.CreateAsync(target, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        string trackingCode;
        try
        {
            await app.PublishAsync(("phone", "13800138000", "other", "high"), ("url", "evil-pay.example/refund/", "other", "high"));
            using var client = app.CreateClient();
            using (var lookup = new HttpRequestMessage(HttpMethod.Get, "/v1/lookup/phone?value=%2B86%20138-0013-8000"))
            {
                lookup.Headers.Add("traceparent", $"00-{callerTrace}-b7ad6b7169203331-01");
                Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(lookup)).StatusCode);
            }

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/lookup/url?value=https%3A%2F%2Fevil-pay.example%2Frefund%2F")).StatusCode);
            var report = await client.PostAsJsonAsync("/v1/reports", new { kind = "phone", value = "13700137000", description = "Said he was from Zorbex Savings" });
            Assert.Equal(HttpStatusCode.Accepted, report.StatusCode);

            // An appeal's tracking code is in the path itself.
            var appeal = await AppealApi.FileAsync(app, "13800138000", contact: "13900139000");
            trackingCode = appeal.Code;
            using var track = new HttpRequestMessage(HttpMethod.Get, $"/v1/appeals/{appeal.Code}");
            track.Headers.Add("X-Appeal-Token", appeal.Token);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(track)).StatusCode);
        }
        finally
        {
            // Stopping the application flushes its exporter.
            await app.DisposeAsync();
        }

        Assert.True(receiver.Exports > 0, "Nothing was exported to the OTLP endpoint.");
        Assert.True(receiver.Holds(Convert.FromHexString(callerTrace)), "No exported span carries the caller's trace id.");
        Assert.True(receiver.Holds("/v1/lookup/{kind}"), "No exported span names the lookup's route.");
        if (target.Provider == DatabaseProvider.Postgres)
        {
            Assert.True(receiver.Holds("Npgsql"), "No span of Npgsql was exported.");
        }

        foreach (var identifier in new[] { "13800138000", "13700137000", "13900139000", "0013-8000", "evil-pay", "refund", "Zorbex", trackingCode })
        {
            Assert.False(receiver.Holds(identifier), $"An exported span holds '{identifier}'.");
        }
    }
}
