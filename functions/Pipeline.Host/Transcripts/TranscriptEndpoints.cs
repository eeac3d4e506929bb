using System.Security.Claims;
using System.Text;
using Pipeline.Azure.Audit;
using Pipeline.Azure.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Host.Auth;

namespace Pipeline.Host.Transcripts;

/// <summary>
/// <c>GET</c> and <c>DELETE /api/transcripts/{tenant}/{transcriptId}</c> (SPEC §3, §3.3): read decrypts
/// (one unwrap), delete crypto-shreds. Every call that reaches the handler is audited with the caller's
/// <c>oid</c>, whatever its outcome; no audit row, log line or problem ever holds transcript text.
/// </summary>
internal static class TranscriptEndpoints
{
    public const string FunctionName = "Transcripts";
    private const string Route = "/api/transcripts/{tenant}/{transcriptId}";
    private const string ProblemPrefix = "urn:pipeline:problem:transcripts:";
    private const int MaxIdLength = 512;

    public static IEndpointRouteBuilder MapTranscripts(this IEndpointRouteBuilder app)
    {
        app.MapGet(Route, ReadAsync).WithName(FunctionName).RequireCaller(CallerRoles.TranscriptsRead);
        app.MapDelete(Route, DeleteAsync).RequireCaller(CallerRoles.TranscriptsDelete);
        return app;
    }

    private static async Task<IResult> ReadAsync(
        string tenant,
        string transcriptId,
        ClaimsPrincipal caller,
        TranscriptReader reader,
        AuditTableWriter audit,
        TimeProvider timeProvider,
        ILogger<TranscriptReader> logger,
        CancellationToken cancellationToken)
    {
        tenant = tenant.ToLowerInvariant();
        if (transcriptId.Length > MaxIdLength)
        {
            return BadId();
        }

        var read = await reader.ReadAsync(tenant, transcriptId, cancellationToken);
        if (!read.Found)
        {
            await AuditAsync(audit, timeProvider, tenant, transcriptId, AuditActions.TranscriptRead, "not-found", caller, null, cancellationToken);
            return NotFound();
        }

        var record = read.Record!;
        if (read.Opened is not { Succeeded: true, Plaintext: { } plaintext } opened)
        {
            var failure = read.Opened?.Failure.ToString() ?? "Unknown";
            Log.TranscriptUnreadable(logger, tenant, record.EventId, failure);
            await AuditAsync(audit, timeProvider, tenant, transcriptId, AuditActions.TranscriptRead, "failure", caller,
                new Dictionary<string, string>(StringComparer.Ordinal) { ["failure"] = failure, ["transcriptEventId"] = record.EventId }, cancellationToken);
            return Results.Problem(
                statusCode: StatusCodes.Status422UnprocessableEntity,
                title: "The stored transcript failed its integrity check; nothing of it is returned.",
                type: ProblemPrefix + "integrity-failure",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["failure"] = failure });
        }

        await AuditAsync(audit, timeProvider, tenant, transcriptId, AuditActions.TranscriptRead, "success", caller,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["transcriptEventId"] = record.EventId }, cancellationToken);
        return TypedResults.Ok(new TranscriptResponse(tenant, record.TranscriptId, record.EventId, record.StoredAt, record.ExpiresAt, Encoding.UTF8.GetString(opened.Plaintext!)));
    }

    private static async Task<IResult> DeleteAsync(
        string tenant,
        string transcriptId,
        ClaimsPrincipal caller,
        TranscriptTableStore store,
        AuditTableWriter audit,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        tenant = tenant.ToLowerInvariant();
        if (transcriptId.Length > MaxIdLength)
        {
            return BadId();
        }

        var deleted = await store.DeleteAsync(tenant, transcriptId, cancellationToken);
        await AuditAsync(audit, timeProvider, tenant, transcriptId, AuditActions.TranscriptDeleted, deleted ? "success" : "not-found", caller, null, cancellationToken);
        return deleted ? TypedResults.NoContent() : NotFound();
    }

    /// <summary>
    /// One row per call: the row's event id is a fresh request id, since the row key is built from it and a
    /// vendor's transcript id may hold characters a row key may not.
    /// </summary>
    private static Task AuditAsync(
        AuditTableWriter audit,
        TimeProvider timeProvider,
        string tenant,
        string transcriptId,
        string action,
        string outcome,
        ClaimsPrincipal caller,
        Dictionary<string, string>? details,
        CancellationToken cancellationToken) =>
        audit.WriteAsync(
            new AuditEntry(tenant, timeProvider.GetUtcNow(), action, outcome, caller.ObjectId() ?? "unknown", "transcript", transcriptId, Guid.NewGuid().ToString("N"), null,
                details ?? new Dictionary<string, string>(StringComparer.Ordinal)),
            cancellationToken);

    private static IResult NotFound() =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such transcript (never stored, expired or deleted).", type: ProblemPrefix + "not-found");

    private static IResult BadId() =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"The transcript id is longer than {MaxIdLength} characters.", type: ProblemPrefix + "bad-id");
}

/// <summary>
/// A decrypted transcript. Only the text is sealed and stored (participants are kept as pseudonyms in the
/// erasure index only; meeting id and language are not stored), so that is what is returned.
/// </summary>
internal sealed record TranscriptResponse(string Tenant, string TranscriptId, string EventId, DateTimeOffset StoredAt, DateTimeOffset ExpiresAt, string Transcript);
