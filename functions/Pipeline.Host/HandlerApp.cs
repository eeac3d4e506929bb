using Pipeline.Core.Configuration;
using Pipeline.Host.Audit;
using Pipeline.Host.Auth;
using Pipeline.Host.Configuration;
using Pipeline.Host.Health;
using Pipeline.Host.Invocations;
using Pipeline.Host.Local;
using Pipeline.Host.Reports;
using Pipeline.Host.Retention;
using Pipeline.Host.Subjects;
using Pipeline.Host.Telemetry;
using Pipeline.Host.Transcripts;
using Pipeline.Host.Webhooks;

namespace Pipeline.Host;

/// <summary>
/// The custom handler application. <c>Program</c> runs it under the Functions host; the CLI's
/// <c>up</c> and the tests build the same application with their own configuration.
/// </summary>
public static class HandlerApp
{
    /// <summary>
    /// Builds the handler. <paramref name="configure"/> runs first: it may add configuration, and
    /// services it registers win over the defaults at the seams (<c>IEventPublisher</c>,
    /// <c>TimeProvider</c>, <c>TokenCredential</c>, Local mode timings), which are registered with TryAdd.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.ListenOnCustomHandlerPort();

        // Request logs name paths and hosts; keep the framework to warnings so the pipeline's own
        // structured lines (ids and counts only) are what an operator reads.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);
        builder.AddOneLineConsoleLogs();

        builder.AddPipelineOptions();
        builder.Services.AddProblemDetails();
        builder.AddStorage();
        builder.AddCallerAuth();
        builder.AddEventPublishing();
        builder.AddTelemetry();
        builder.Services.AddFunctionInvocations();
        builder.AddWebhooks();
        builder.AddAudit();
        builder.AddTranscripts();
        builder.AddRetention();
        builder.AddReports();
        if (builder.Configuration.PipelineMode() == PipelineMode.Local)
        {
            builder.AddLocalMode();
        }

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthenticationOffWebhooks();
        app.UseAuthorization();
        app.MapHealth();
        app.MapWebhooks();
        app.MapAuditQuery();
        app.MapTranscripts();
        app.MapSubjects();
        app.MapReports();
        app.MapFunctionInvocations();
        return app;
    }

    /// <summary>
    /// One console line per log entry. The Functions host turns each line a custom handler writes into
    /// its own trace, so a multi-line entry (the default formatter's two lines, an exception's stack)
    /// would arrive in Application Insights in pieces. Azure mode writes JSON (structured fields intact,
    /// newlines escaped); Local mode writes the simple format on one line, for a developer's terminal.
    /// </summary>
    private static void AddOneLineConsoleLogs(this WebApplicationBuilder builder)
    {
        if (builder.Configuration.PipelineMode() == PipelineMode.Azure)
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.UseUtcTimestamp = true;
            });
        }
    }

    /// <summary>
    /// Authentication on every path but the webhooks'. A webhook is judged by its signature alone, and there is
    /// no default scheme (each API policy names JwtBearer, so authorization authenticates what it needs), so on a
    /// webhook path the middleware would only open a DI scope per request for nothing. Authorization stays on
    /// every path and refuses any endpoint that asks for a caller.
    /// </summary>
    private static void UseAuthenticationOffWebhooks(this WebApplication app)
    {
        app.UseWhen(context => !context.Request.Path.StartsWithSegments(WebhookEndpoints.PathPrefix, StringComparison.OrdinalIgnoreCase), api => api.UseAuthentication());

        // WebApplication puts UseAuthentication in front of everything unless the app's own builder says it was
        // added; the branch's builder is a copy, so the app's is told here (WebhookAnswerTests count the runs).
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
    }

    /// <summary>ASP.NET Core's marker (WebApplicationBuilder, UseAuthentication) for "authentication is in the pipeline".</summary>
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    /// <summary>Under the Functions host the handler listens where <c>FUNCTIONS_CUSTOMHANDLER_PORT</c> says.</summary>
    private static void ListenOnCustomHandlerPort(this WebApplicationBuilder builder)
    {
        if (builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"] is { Length: > 0 } port)
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        }
    }
}
