using System.Globalization;
using System.Security.Claims;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Core.Configuration;
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
    private static async Task<IResult> QueryAsync(
        string tenant,
        string? from,
        string? to,
        string? action,
        string? subject,
        int? limit,
        string? continuationToken,
        ClaimsPrincipal caller,
        PipelineOptions options,
        AuditTableReader reader,
        AuditTableWriter writer,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        tenant = tenant.ToLowerInvariant();
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

        var pseudonym = string.IsNullOrWhiteSpace(subject) ? null : Pseudonyms.Normalize(options.Audit.PseudonymKey!, subject);
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

    private static IResult Invalid(string slug, string title) =>
        Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, type: ProblemPrefix + slug);
}

internal sealed record AuditQueryResponse(IReadOnlyList<AuditItem> Items, string? ContinuationToken);
