namespace Pipeline.Host.Health;

internal static class HealthEndpoints
{
    /// <summary><c>GET /api/health</c>: anonymous, and says nothing about configuration or secrets.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", () => TypedResults.Ok(new HealthStatus("healthy"))).WithName("Health");
        return app;
    }
}

internal sealed record HealthStatus(string Status);
