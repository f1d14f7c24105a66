using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace FlagApi.Observability;

/// <summary>Logs a machine can read, the service's meter, <c>/metrics</c> for Prometheus and traces over OTLP.</summary>
public static class ObservabilityExtensions
{
    public const string MetricsPath = "/metrics";

    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        ConfigureConsoleLogs(builder);

        builder.Services.AddOptions<RequestLogOptions>().BindConfiguration(RequestLogOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<FlagApiMetrics>();
        builder.Services.AddSingleton<DatabaseFiguresRefresher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DatabaseFiguresRefresher>());
        builder.Services.AddSingleton<MetricsAccess>();
        builder.Services.AddSingleton<RequestActivities>();
        builder.Services.AddSingleton<RequestLog>();
        Telemetry.Add(builder);
        return builder;
    }

    /// <summary>
    /// Early in the pipeline, so the scope covers every later middleware's lines, the exception handler's included; only
    /// the trusted proxies and the direct lookup path (which writes its own line, <see cref="RequestLog"/>) come before.
    /// </summary>
    public static IApplicationBuilder UseObservability(this IApplicationBuilder app)
    {
        app.ApplicationServices.GetRequiredService<RequestActivities>();
        app.UseMiddleware<RequestLoggingMiddleware>();
        return app;
    }

    /// <summary>
    /// JSON lines with scopes outside Development, unless <c>Logging:Console:FormatterName</c> says otherwise.
    /// Defaults are set before the configuration is bound again, so <c>Logging:Console:FormatterOptions</c> still wins.
    /// </summary>
    private static void ConfigureConsoleLogs(IHostApplicationBuilder builder)
    {
        var formatter = ConsoleFormatter(builder.Configuration["Logging:Console:FormatterName"], builder.Environment.IsDevelopment());
        var formatterOptions = builder.Configuration.GetSection("Logging:Console:FormatterOptions");
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = formatter);
        builder.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            formatterOptions.Bind(o);
        });
    }

    /// <summary>The console formatter: the configured one, else readable text in Development and JSON lines everywhere else.</summary>
    internal static string ConsoleFormatter(string? configured, bool development) =>
        string.IsNullOrWhiteSpace(configured)
            ? development ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Json
            : configured.Trim();
}

/// <summary>
/// Keeps ASP.NET Core creating an activity for every request, so its W3C trace id (continued from the caller's
/// <c>traceparent</c>) is the request id in logs and problem details. ASP.NET Core creates one on its own only while
/// its hosting logger is on, and that logger's request scope carries the raw path onto every line, so it is off; and
/// OpenTelemetry's tracing listens only while traces are exported. The activity is not recorded, only propagated.
/// </summary>
internal sealed class RequestActivities : IDisposable
{
    private readonly ActivityListener listener = new()
    {
        ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
    };

    public RequestActivities() => ActivitySource.AddActivityListener(listener);

    public void Dispose() => listener.Dispose();
}
