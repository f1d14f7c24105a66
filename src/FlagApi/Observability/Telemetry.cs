using System.Diagnostics;
using System.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FlagApi.Observability;

/// <summary>
/// OpenTelemetry, switched on only for what is exported: the meters while <c>/metrics</c> is served, traces while an OTLP
/// endpoint is configured. With neither (the defaults) no provider is built and nothing listens, so a request costs what
/// it cost before OpenTelemetry.
/// </summary>
internal static class Telemetry
{
    /// <summary>The standard setting naming the OTLP collector, read from the environment or any configuration source.</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The standard setting for a traces-only collector; it also switches traces on.</summary>
    public const string OtlpTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    private const string DefaultServiceName = "flagapi";

    /// <summary>ASP.NET Core's meters exported beside our own; the runtime's come with the runtime instrumentation.</summary>
    private static readonly string[] FrameworkMeters = ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    public static void Add(IHostApplicationBuilder builder)
    {
        var metrics = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var traces = TracesExported(builder.Configuration);
        if (!metrics.Enabled && !traces)
        {
            return;
        }

        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } named ? named : DefaultServiceName;
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(serviceName));
        if (metrics.Enabled)
        {
            telemetry.WithMetrics(meters =>
            {
                meters.AddMeter(FlagApiMetrics.MeterName);

                // OpenTelemetry listens to meters by name across the process. Meters that another host's container
                // created (tests run several applications in one process) are not this application's to export.
                ((IDeferredMeterProviderBuilder)meters).Configure((services, b) =>
                {
                    var own = services.GetRequiredService<IMeterFactory>();
                    b.AddView(instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop);
                });
                if (metrics.FrameworkMeters)
                {
                    meters.AddMeter(FrameworkMeters).AddRuntimeInstrumentation();
                }

                // Names as Prometheus spells them (flagapi_lookups_total), without the scope labels and target_info
                // series the hand-written exporter never had, and no cached answer: every scrape collects anew.
                meters.AddPrometheusExporter(o =>
                {
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                    o.ScopeInfoEnabled = false;
                    o.TargetInfoEnabled = false;
                });
            });
        }

        if (traces)
        {
            telemetry.WithTracing(spans => spans
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddProcessor(new SpanRedaction())
                .AddOtlpExporter());
        }
    }

    /// <summary>Whether an OTLP endpoint is configured, by the standard variables or configuration keys of the same names.</summary>
    public static bool TracesExported(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OtlpEndpoint]) || !string.IsNullOrWhiteSpace(configuration[OtlpTracesEndpoint]);
}

/// <summary>
/// Takes the identifiers out of spans before they are exported. A lookup carries the phone number or URL in its path or
/// query (<c>/v1/lookup/phone?value=…</c>) and an appeal its tracking code, so a server span keeps the route template
/// as its path and no query; a client span keeps no query either. Npgsql's statements are kept: every statement the
/// service sends is parameterized, and Npgsql records no parameter values.
/// </summary>
internal sealed class SpanRedaction : BaseProcessor<Activity>
{
    private const string UrlPath = "url.path";
    private const string UrlQuery = "url.query";
    private const string UrlFull = "url.full";

    public override void OnEnd(Activity data)
    {
        if (data.Kind == ActivityKind.Server)
        {
            data.SetTag(UrlPath, data.GetTagItem("http.route") as string);
            data.SetTag(UrlQuery, null);
        }
        else if (data.Kind == ActivityKind.Client && data.GetTagItem(UrlFull) is string full && Uri.TryCreate(full, UriKind.Absolute, out var url))
        {
            data.SetTag(UrlFull, url.GetLeftPart(UriPartial.Path));
            data.SetTag(UrlQuery, null);
        }
    }
}
