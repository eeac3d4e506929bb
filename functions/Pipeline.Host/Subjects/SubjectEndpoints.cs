using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Azure.Audit;
using Pipeline.Azure.DeadLetters;
using Pipeline.Azure.Subjects;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Host.Auth;

namespace Pipeline.Host.Subjects;

internal static class SubjectEndpoints
{
    public static IEndpointRouteBuilder MapSubjects(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/subjects/{tenant}/{subjectId}/export", Export).WithName("SubjectExport").RequireCaller(CallerRoles.SubjectsExport);
        app.MapDelete("/api/subjects/{tenant}/{subjectId}", EraseAsync).WithName("SubjectErase").RequireCaller(CallerRoles.SubjectsErase);
        return app;
    }

    /// <summary>
    /// <c>GET /api/subjects/{tenant}/{subjectId}/export</c> (SPEC §3, GDPR Art. 15/20): one JSON document,
    /// streamed to the response as it is read, naming the subject only by pseudonym; audited with the caller's oid.
    /// </summary>
    private static Results<PushStreamHttpResult, ProblemHttpResult> Export([AsParameters] SubjectRequest request)
    {
        var (tenant, subjectId, context) = request;
        if (!SubjectIds.IsValid(subjectId))
        {
            return BadSubject();
        }

        var records = Records(context.RequestServices);
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Stream(
            body => records.ExportAsync(tenant.ToLowerInvariant(), subjectId, context.User.ObjectId() ?? "unknown", body, context.RequestAborted),
            "application/json; charset=utf-8");
    }

    /// <summary>
    /// <c>DELETE /api/subjects/{tenant}/{subjectId}</c> (SPEC §3, GDPR Art. 17): crypto-shreds the subject's
    /// transcripts and removes their index rows; the audit row of the erasure (pseudonym, counts) is what remains.
    /// </summary>
    private static async Task<Results<Ok<SubjectErasureSummary>, ProblemHttpResult>> EraseAsync([AsParameters] SubjectRequest request, CancellationToken cancellationToken)
    {
        var (tenant, subjectId, context) = request;
        if (!SubjectIds.IsValid(subjectId))
        {
            return BadSubject();
        }

        var erased = await Records(context.RequestServices).EraseAsync(tenant.ToLowerInvariant(), subjectId, context.User.ObjectId() ?? "unknown", cancellationToken);
        return TypedResults.Ok(erased);
    }

    // The route value is never echoed, stored or logged: it is refused before it is pseudonymised.
    private static ProblemHttpResult BadSubject() => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: $"The subject id is not one: a pseudonym, or 1-{SubjectIds.MaxLength} characters without control characters or surrounding spaces.",
        type: "urn:pipeline:problem:subjects:bad-id");

    /// <summary>
    /// The records are built per request from the shared singletons, so the feature needs no registration of
    /// its own; the CLI builds them here too, from the same registrations.
    /// </summary>
    internal static SubjectRecords Records(IServiceProvider services) => new(
        services.GetRequiredService<TranscriptTableStore>(),
        services.GetRequiredService<TranscriptReader>(),
        services.GetRequiredService<AuditTableReader>(),
        services.GetRequiredService<AuditTableWriter>(),
        services.GetRequiredService<PipelineOptions>(),
        services.GetRequiredService<AuditOptions>(),
        services.GetRequiredService<TimeProvider>(),
        services.GetService<DeadLetterOperations>());
}

/// <summary>What the subject routes bind: the route values and the request (its caller, services and abort token).</summary>
internal sealed record SubjectRequest(string Tenant, string SubjectId, HttpContext Context);
