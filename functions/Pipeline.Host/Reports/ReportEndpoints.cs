using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Core;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Reports;
using Pipeline.Azure.Keys;
using Pipeline.Azure.KeyVault;
using Pipeline.Azure.Retention;
using Pipeline.Core.Configuration;
using Pipeline.Core.Reports;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Auth;
using Pipeline.Host.Transcripts;
using Azure.Data.Tables;

namespace Pipeline.Host.Reports;

/// <summary><c>GET /api/reports/{tenant}</c>: the compliance report (issue 14) for <c>Audit.Read</c> callers of the tenant.</summary>
internal static class ReportEndpoints
{
    private const string ProblemPrefix = "urn:pipeline:problem:report:";

    /// <summary>The report builder; dead letters are included where the handler has a dead-letter store.</summary>
    public static WebApplicationBuilder AddReports(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<PipelineOptions>();
            return new ComplianceReportBuilder(
                sp.GetRequiredService<AuditChainVerifier>(),
                new TranscriptKeyWrapping(sp.GetRequiredService<TableServiceClient>()),
                sp.GetService<DeadLetterOperations>(),
                options,
                sp.GetRequiredService<WebhookOptions>(),
                sp.GetRequiredService<RetentionOptions>(),
                sp.GetRequiredService<TimeProvider>())
            {
                KeyCreated = TranscriptKeys.CreatedLookup(options.Mode, sp.GetRequiredService<KeyVaultOptions>(), sp.GetRequiredService<TokenCredential>),
            };
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/reports/{tenant}", ReportAsync).WithName("ComplianceReport").RequireCaller(CallerRoles.AuditRead);
        return app;
    }

    /// <summary>
    /// The report as self-contained HTML (default) or JSON. Making it is audited like every read. The HTML carries
    /// its own Content-Security-Policy; the response repeats it, so a browser opening it from the API loads nothing either.
    /// </summary>
    private static async Task<Results<JsonHttpResult<ComplianceReport>, ContentHttpResult, ProblemHttpResult>> ReportAsync(
        [AsParameters] ReportRequest request, CancellationToken cancellationToken)
    {
        var (_, from, to, format, context, caller, builder, audit) = request;
        var tenant = request.Tenant.ToLowerInvariant();
        if (ReportPeriod.TryParse(from, to, out var error) is not { } period)
        {
            return Invalid("bad-range", error!);
        }

        if (format is not (null or "html" or "json"))
        {
            return Invalid("bad-format", "format must be html or json.");
        }

        var report = await builder.BuildAsync(tenant, period, caller.ObjectId() ?? "unknown", cancellationToken: cancellationToken);
        await audit.WriteAsync(report.ToAuditEntry(format ?? "html"), cancellationToken);
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'";
        return format == "json"
            ? TypedResults.Json(report, ReportJson.Options)
            : TypedResults.Content(ComplianceReportHtml.Render(report), "text/html; charset=utf-8");
    }

    private static ProblemHttpResult Invalid(string slug, string title) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, type: ProblemPrefix + slug);
}

/// <summary>What <c>GET /api/reports/{tenant}</c> binds: the route and query values, the request, the caller and the services it uses.</summary>
internal sealed record ReportRequest(
    string Tenant,
    string? From,
    string? To,
    string? Format,
    HttpContext Context,
    ClaimsPrincipal Caller,
    ComplianceReportBuilder Builder,
    AuditTableWriter Audit);

/// <summary>The report's JSON form: camelCase, dates as ISO 8601, indented for a person to diff.</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };
}
