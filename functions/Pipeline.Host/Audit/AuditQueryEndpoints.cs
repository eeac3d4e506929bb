using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Host.Auth;

namespace Pipeline.Host.Audit;

internal static class AuditQueryEndpoints
{
    private const string ProblemPrefix = "urn:pipeline:problem:audit:";
    private static readonly TimeSpan MaxSpan = TimeSpan.FromDays(31);

    public static IEndpointRouteBuilder MapAuditQuery(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit/{tenant}", QueryAsync).WithName("AuditQuery").RequireCaller(CallerRoles.AuditRead);
        return app;
    }

    /// <summary><c>GET /api/audit/{tenant}</c> (SPEC §3.2): one page of the tenant's rows; the read is itself audited.</summary>
    private static async Task<Results<Ok<AuditQueryResponse>, ProblemHttpResult>> QueryAsync([AsParameters] AuditQueryRequest request, CancellationToken cancellationToken)
    {
        var (_, from, to, action, subject, limit, continuationToken, caller, audit, reader, writer, timeProvider) = request;
        var tenant = request.Tenant.ToLowerInvariant();
        if (!TryParseTime(from, out var start) || !TryParseTime(to, out var end))
        {
            return Invalid("bad-range", "from and to are required ISO 8601 timestamps.");
        }

        if (end <= start || end - start > MaxSpan)
        {
            return Invalid("bad-range", $"to must be after from, at most {MaxSpan.TotalDays} days later.");
        }

        if (limit is < 1 or > 1000)
        {
            return Invalid("bad-limit", "limit must be between 1 and 1000.");
        }

        var pseudonym = string.IsNullOrWhiteSpace(subject) ? null : Pseudonyms.Normalize(audit.RequirePseudonymKey(), subject);
        string? storageToken = null;
        if (!string.IsNullOrEmpty(continuationToken))
        {
            if (AuditQueryToken.TryDecode(continuationToken) is not { } token
                || token != token with { Tenant = tenant, From = start.UtcTicks, To = end.UtcTicks, Action = action, Subject = pseudonym })
            {
                return Invalid("bad-continuation-token", "The continuation token does not belong to this query.");
            }

            storageToken = token.Storage;
        }

        var page = await reader.QueryAsync(new AuditQuery(tenant, start, end, action, pseudonym, limit ?? 100, storageToken), cancellationToken);
        var now = timeProvider.GetUtcNow();
        var queryId = Guid.NewGuid().ToString("N");
        await writer.WriteAsync(AuditEntry.ByCaller(caller.ObjectId() ?? "unknown", tenant, now, AuditActions.AuditQueried, AuditOutcome.Success, new AuditResource("audit", queryId), subject: pseudonym,
            details: new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["from"] = start.ToString("O", CultureInfo.InvariantCulture),
                ["to"] = end.ToString("O", CultureInfo.InvariantCulture),
                ["returned"] = page.Items.Count.ToString(CultureInfo.InvariantCulture),
            }), cancellationToken);

        var next = page.ContinuationToken is { } storage
            ? new AuditQueryToken(tenant, start.UtcTicks, end.UtcTicks, action, pseudonym, storage).Encode()
            : null;
        return TypedResults.Ok(new AuditQueryResponse(page.Items.Select(AuditItem.From).ToList(), next));
    }

    private static bool TryParseTime(string? text, out DateTimeOffset value) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    private static ProblemHttpResult Invalid(string slug, string title) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, type: ProblemPrefix + slug);
}

/// <summary>What <c>GET /api/audit/{tenant}</c> binds: the route and query values, the caller and the services it uses.</summary>
internal sealed record AuditQueryRequest(
    string Tenant,
    string? From,
    string? To,
    string? Action,
    string? Subject,
    int? Limit,
    string? ContinuationToken,
    ClaimsPrincipal Caller,
    AuditOptions Audit,
    AuditTableReader Reader,
    AuditTableWriter Writer,
    TimeProvider TimeProvider);

internal sealed record AuditQueryResponse(IReadOnlyList<AuditItem> Items, string? ContinuationToken);
