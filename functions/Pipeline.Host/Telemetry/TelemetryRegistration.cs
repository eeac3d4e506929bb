using Azure.Core;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pipeline.Azure.ServiceBus;
using Pipeline.Core.Configuration;
using Pipeline.Core.Events;
using Pipeline.Core.Telemetry;
using Pipeline.Host.Configuration;

namespace Pipeline.Host.Telemetry;

internal static class TelemetryRegistration
{
    /// <summary>The Application Insights setting the Functions host and the exporter both read.</summary>
    public const string ConnectionStringKey = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>The OpenTelemetry SDK's standard OTLP endpoint variable.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";
    private const string AspNetCoreHostingMeter = "Microsoft.AspNetCore.Hosting";
    private const string AspNetCoreDiagnosticsMeter = "Microsoft.AspNetCore.Diagnostics";
    private const string ActiveRequests = "http.server.active_requests";

    /// <summary>
    /// The event publisher always carries the trace context (audit rows name the trace either way). When
    /// telemetry is on: spans from the pipeline's source and ASP.NET Core and HttpClient (their URL parts
    /// stripped to the route and host, see <see cref="TelemetryRedaction"/>), the pipeline's metrics and
    /// ASP.NET Core's request duration and exceptions, and the log records, to the configured exporter; spans head-sampled
    /// (<see cref="TelemetrySampling"/>). Call after the publisher is registered.
    /// </summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.DecorateEventPublisher();

        // ASP.NET Core's hosting logger writes only request start/finish lines (Information, filtered to Warning
        // anyway) and nothing an operator reads, but while it is enabled at all it opens a log scope (an
        // async-local) for every request, and with telemetry off starts an activity nobody listens to: the
        // webhook makes its trace ids without one (TraceContext.ForRequest). Off in either case; with telemetry
        // on, the request spans come from the instrumentation's own listener, not from this logger.
        builder.Logging.AddFilter(HostingDiagnosticsCategory, LogLevel.None);
        var (exporter, enabled) = Resolve(builder.Configuration);
        if (!enabled)
        {
            return builder;
        }

        var samplingRatio = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>()?.SamplingRatio;

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("pipeline-handler"))
            .WithTracing(tracing => tracing
                .AddSource(PipelineTelemetry.Name)
                .AddAspNetCoreInstrumentation(TelemetryRedaction.Configure)
                .AddHttpClientInstrumentation(TelemetryRedaction.Configure))
            .WithMetrics(metrics => metrics
                .AddMeter(PipelineTelemetry.Name)
                // ASP.NET Core's meters that measure something the pipeline does not: the request duration of
                // the API routes (the webhook route opts out, see MapWebhooks) and unhandled exceptions. Not
                // Kestrel's, routing's (a counter per request) or the in-flight request gauge (two updates per
                // request): each measurement is a tag-set lookup on the hot path, and no alert or runbook reads them.
                .AddMeter(AspNetCoreHostingMeter, AspNetCoreDiagnosticsMeter)
                .AddView(ActiveRequests, MetricStreamConfiguration.Drop))
            .WithLogging(configureBuilder: null, configureOptions: options =>
            {
                // Scopes hold ASP.NET Core's RequestPath, which can name a subject: never exported.
                options.IncludeScopes = false;
                options.IncludeFormattedMessage = true;
            });

        FrozenLogAttributes.Register(builder.Services);
        if (exporter != TelemetryExporter.AzureMonitor)
        {
            // Azure Monitor brings its own sampler (below): its item counts keep the portal's totals right.
            otel.WithTracing(tracing => tracing.SetSampler(TelemetrySampling.For(samplingRatio ?? TelemetrySampling.DefaultRatio)));
        }

        switch (exporter)
        {
            case TelemetryExporter.Console:
                otel.WithTracing(tracing => tracing.AddConsoleExporter())
                    .WithMetrics(metrics => metrics.AddConsoleExporter())
                    .WithLogging(logging => logging.AddConsoleExporter());
                break;
            case TelemetryExporter.Otlp:
                otel.UseOtlpExporter();
                break;
            case TelemetryExporter.AzureMonitor:
                if (string.IsNullOrWhiteSpace(builder.Configuration[ConnectionStringKey]))
                {
                    throw new InvalidOperationException($"Pipeline:Telemetry:Exporter is AzureMonitor but {ConnectionStringKey} is not set.");
                }

                // The app's one credential (the managed identity in Azure mode): no instrumentation key auth.
                builder.Services.AddOptions<AzureMonitorExporterOptions>().Configure<TokenCredential>((options, credential) =>
                {
                    options.Credential = credential;
                    // Live Metrics streams sample request URLs and exception messages: not ids only.
                    options.EnableLiveMetrics = false;
                    if (samplingRatio is { } ratio)
                    {
                        // A set ratio replaces the exporter's default (a rate limit in traces per second).
                        TelemetrySampling.Validate(ratio);
                        options.SamplingRatio = (float)ratio;
                        options.TracesPerSecond = null;
                    }
                });
                otel.UseAzureMonitorExporter();

                // The Functions host turns each console line into an Application Insights trace as well, without
                // the trace id: information records would arrive twice. The console keeps warnings and errors
                // (the portal's log stream shows them); the exporter sends every record, correlated.
                builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(category: null, LogLevel.Warning);
                break;
        }

        return builder;
    }

    /// <summary>Which exporter, and whether to collect at all (see <see cref="TelemetryOptions"/>).</summary>
    internal static (TelemetryExporter Exporter, bool Enabled) Resolve(IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var exporter = options.Exporter ?? DefaultExporter(configuration, azureMonitorAllowed: configuration.PipelineMode() == PipelineMode.Azure);
        return (exporter, options.Enabled ?? exporter != TelemetryExporter.None);
    }

    /// <summary>
    /// The exporter an environment names when none is configured, for the handler and the CLI alike: Azure Monitor
    /// where a connection string is set and may be used (the handler: Azure mode only; the CLI: on the operator's
    /// own credential), else OTLP where an endpoint is set, else none.
    /// </summary>
    internal static TelemetryExporter DefaultExporter(IConfiguration configuration, bool azureMonitorAllowed) =>
        azureMonitorAllowed && !string.IsNullOrWhiteSpace(configuration[ConnectionStringKey]) ? TelemetryExporter.AzureMonitor
            : !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]) ? TelemetryExporter.Otlp
            : TelemetryExporter.None;

    /// <summary>Wraps the registered <see cref="IEventPublisher"/> (the mode's, or a caller's) in <see cref="TracedEventPublisher"/>.</summary>
    private static void DecorateEventPublisher(this IServiceCollection services)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IEventPublisher))
            ?? throw new InvalidOperationException("AddTelemetry runs after the event publisher is registered.");
        services.Remove(registered);
        services.Add(ServiceDescriptor.Describe(
            typeof(IEventPublisher),
            // The bound options: they hold the flat ServiceBusTopicName setting when it is set.
            sp => new TracedEventPublisher(Create(sp, registered), sp.GetRequiredService<ServiceBusOptions>().TopicName),
            registered.Lifetime));
    }

    private static IEventPublisher Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IEventPublisher)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));
}
