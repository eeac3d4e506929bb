using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Core.Audit;
using Pipeline.Core.Transcripts;
using Pipeline.Host.Auth;

namespace Pipeline.Host.Transcripts;

/// <summary>
/// <c>GET</c> and <c>DELETE /api/transcripts/{tenant}/{transcriptId}</c> (SPEC §3, §3.3): read decrypts
/// (one unwrap), delete crypto-shreds. Every call that reaches the handler is audited with the caller's
/// <c>oid</c> (<see cref="TranscriptAccess"/>); no problem response ever holds transcript text.
/// </summary>
internal static class TranscriptEndpoints
{
    public const string FunctionName = "Transcripts";
    private const string Route = "/api/transcripts/{tenant}/{transcriptId}";
    private const string ProblemPrefix = "urn:pipeline:problem:transcripts:";

    public static IEndpointRouteBuilder MapTranscripts(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, ReadAsync).WithName(FunctionName).RequireCaller(CallerRoles.TranscriptsRead);
        app.MapDelete(Route, DeleteAsync).RequireCaller(CallerRoles.TranscriptsDelete);
        return app;
    }

    private static async Task<Results<Ok<TranscriptResponse>, ProblemHttpResult>> ReadAsync([AsParameters] TranscriptRequest request, CancellationToken cancellationToken)
    {
        var (tenant, transcriptId, caller, access) = request;
        if (!TranscriptIds.IsValid(transcriptId))
        {
            await access.RefuseInvalidIdAsync(tenant.ToLowerInvariant(), AuditActions.TranscriptRead, caller.ObjectId() ?? "unknown", cancellationToken);
            return BadId();
        }

        var read = await access.ReadAsync(tenant.ToLowerInvariant(), transcriptId, caller.ObjectId() ?? "unknown", cancellationToken);
        if (!read.Found)
        {
            return NotFound();
        }

        if (read.Opened is not { Succeeded: true, Plaintext: { } plaintext })
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "The stored transcript failed its integrity check; nothing of it is returned.",
                type: ProblemPrefix + "integrity-failure",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["failure"] = read.Opened?.Failure.ToString() });
        }

        var record = read.Record!;
        return TypedResults.Ok(new TranscriptResponse(record.Tenant, record.TranscriptId, record.EventId, record.StoredAt, record.ExpiresAt, Encoding.UTF8.GetString(plaintext)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync([AsParameters] TranscriptRequest request, CancellationToken cancellationToken)
    {
        var (tenant, transcriptId, caller, access) = request;
        if (!TranscriptIds.IsValid(transcriptId))
        {
            await access.RefuseInvalidIdAsync(tenant.ToLowerInvariant(), AuditActions.TranscriptDeleted, caller.ObjectId() ?? "unknown", cancellationToken);
            return BadId();
        }

        return await access.DeleteAsync(tenant.ToLowerInvariant(), transcriptId, caller.ObjectId() ?? "unknown", cancellationToken)
            ? TypedResults.NoContent()
            : NotFound();
    }

    private static ProblemHttpResult NotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such transcript (never stored, expired or deleted).", type: ProblemPrefix + "not-found");

    private static ProblemHttpResult BadId() =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"The transcript id is not one: 1-{TranscriptIds.MaxLength} letters, digits, '.', '_', ':' or '-'.", type: ProblemPrefix + "bad-id");
}

/// <summary>
/// A decrypted transcript. Only the text is sealed and stored (participants are kept as pseudonyms in the
/// erasure index only; meeting id and language are not stored), so that is what is returned.
/// </summary>
internal sealed record TranscriptResponse(string Tenant, string TranscriptId, string EventId, DateTimeOffset StoredAt, DateTimeOffset ExpiresAt, string Transcript);

/// <summary>What the transcript routes bind: the route values, the caller and the access service.</summary>
internal sealed record TranscriptRequest(string Tenant, string TranscriptId, ClaimsPrincipal Caller, TranscriptAccess Access);
