using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Pipeline.Core.Audit;
using Pipeline.Host.Auth;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Auth;

/// <summary>GET /api/audit/{tenant} under RBAC (SPEC §3.2, §3.3), over real HTTP against Azurite.</summary>
public sealed class AuditQueryTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Day = new(2026, 3, 10, 0, 0, 0, TimeSpan.Zero);

    private static string Token(string[] roles, string[] tenants, string? key = null, TimeSpan? lifetime = null, DateTimeOffset? now = null) =>
        LocalTokens.Mint(key ?? TestHost.LocalSigningKey, "oid-" + Guid.NewGuid().ToString("N")[..8], roles, tenants, now ?? DateTimeOffset.UtcNow, lifetime ?? TimeSpan.FromMinutes(5));

    private static async Task<HttpResponseMessage> GetAsync(TestHost host, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static string Range(string tenant) => $"/api/audit/{tenant}?from={Day.UtcDateTime:O}&to={Day.AddDays(1).UtcDateTime:O}";

    private async Task SeedAsync(string tenant, int rows)
    {
        var writer = azurite.AuditWriter();
        for (var i = 0; i < rows; i++)
        {
            await writer.WriteAsync(new AuditEntry(tenant, Day.AddMinutes(i), AuditActions.EventAccepted, "success", "vendor:mindtickle", "event", $"e{i}", $"e{i}", null, new Dictionary<string, string>()), TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task Query_WithoutOrWithBadToken_Is401Problem()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>());
        var otherKey = Token([CallerRoles.AuditRead], [tenant], key: Secrets.NewSecret());
        var expired = Token([CallerRoles.AuditRead], [tenant], now: DateTimeOffset.UtcNow.AddHours(-2), lifetime: TimeSpan.FromMinutes(5));
        var wrongAudience = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = LocalTokens.Issuer,
            Audience = "api://someone-else",
            Claims = new Dictionary<string, object> { ["oid"] = "x", ["roles"] = new[] { CallerRoles.Admin }, ["tenants"] = new[] { "*" } },
            Expires = DateTime.UtcNow.AddMinutes(5),
            SigningCredentials = new SigningCredentials(LocalTokens.SigningKey(TestHost.LocalSigningKey), SecurityAlgorithms.HmacSha256),
        });

        foreach (var token in new[] { null, "not-a-jwt", otherKey, expired, wrongAudience })
        {
            using var response = await GetAsync(host, Range(tenant), token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task Query_LocalTokenWithoutOidOrLivingTooLong_Is401()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>());
        string Local(Dictionary<string, object> claims, TimeSpan lifetime) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = LocalTokens.Issuer,
            Audience = LocalTokens.Audience,
            Claims = claims,
            NotBefore = DateTime.UtcNow.AddMinutes(-1),
            Expires = DateTime.UtcNow.AddMinutes(-1) + lifetime,
            SigningCredentials = new SigningCredentials(LocalTokens.SigningKey(TestHost.LocalSigningKey), SecurityAlgorithms.HmacSha256),
        });
        var access = new Dictionary<string, object> { ["roles"] = new[] { CallerRoles.Admin }, ["tenants"] = new[] { "*" } };
        var noOid = Local(access, TimeSpan.FromMinutes(10));
        var blankOid = Local(new(access) { ["oid"] = " " }, TimeSpan.FromMinutes(10));
        var tenYears = Local(new(access) { ["oid"] = "x" }, TimeSpan.FromDays(3650));
        var justRight = Local(new(access) { ["oid"] = "x" }, LocalTokens.MaxLifetime);

        foreach (var token in new[] { noOid, blankOid, tenYears })
        {
            using var response = await GetAsync(host, Range(tenant), token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var allowed = await GetAsync(host, Range(tenant), justRight);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task Query_WithoutRoleOrTenant_Is403()
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>());

        using var noRole = await GetAsync(host, Range(tenant), Token([CallerRoles.TranscriptsRead], [tenant]));
        using var otherTenant = await GetAsync(host, Range(tenant), Token([CallerRoles.AuditRead], ["someone-else"]));

        Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherTenant.StatusCode);
        Assert.Equal("application/problem+json", otherTenant.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Query_GrantFromConfiguration_PagesThroughOnlyThatTenantsRows_AndIsAudited()
    {
        var tenant = Secrets.NewTenant();
        var neighbour = Secrets.NewTenant();
        await SeedAsync(tenant, 7);
        await SeedAsync(neighbour, 3);
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?> { ["Pipeline:Access:Grants:auditor-1:0"] = tenant });
        var token = LocalTokens.Mint(TestHost.LocalSigningKey, "auditor-1", [CallerRoles.AuditRead], [], DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));

        var seen = new List<string>();
        string? continuation = null;
        var pages = 0;
        do
        {
            var path = Range(tenant) + "&limit=3" + (continuation is null ? "" : "&continuationToken=" + Uri.EscapeDataString(continuation));
            using var response = await GetAsync(host, path, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<Page>(TestContext.Current.CancellationToken);
            seen.AddRange(page!.Items.Select(i => i.EventId!));
            continuation = page.ContinuationToken;
            pages++;
        }
        while (continuation is not null && pages < 10);

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"e{i}"), seen);
        Assert.True(pages >= 3);
        var queried = (await AuditRows.ForTenantAsync(azurite, tenant)).Where(r => r.GetString("Action") == AuditActions.AuditQueried).ToList();
        Assert.Equal(pages, queried.Count);
        Assert.All(queried, r => Assert.Equal("auditor-1", r.GetString("Actor")));
    }

    [Fact]
    public async Task Query_ContinuationTokenOfAnotherTenant_Is400()
    {
        var tenant = Secrets.NewTenant();
        var other = Secrets.NewTenant();
        await SeedAsync(tenant, 3);
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>());
        var token = Token([CallerRoles.Admin], ["*"]);
        using var first = await GetAsync(host, Range(tenant) + "&limit=1", token);
        var page = await first.Content.ReadFromJsonAsync<Page>(TestContext.Current.CancellationToken);
        Assert.NotNull(page?.ContinuationToken);

        using var replayed = await GetAsync(host, Range(other) + "&continuationToken=" + Uri.EscapeDataString(page.ContinuationToken), token);
        using var garbage = await GetAsync(host, Range(tenant) + "&continuationToken=" + Convert.ToBase64String(Encoding.UTF8.GetBytes("{}")), token);

        Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?from=2026-03-10T00:00:00Z")]
    [InlineData("?from=yesterday&to=today")]
    [InlineData("?from=2026-03-10T00:00:00Z&to=2026-03-09T00:00:00Z")]
    [InlineData("?from=2026-01-01T00:00:00Z&to=2026-03-09T00:00:00Z")]
    [InlineData("?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z&limit=0")]
    [InlineData("?from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z&limit=1001")]
    public async Task Query_BadParameters_Is400Problem(string query)
    {
        var tenant = Secrets.NewTenant();
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>());

        using var response = await GetAsync(host, $"/api/audit/{tenant}{query}", Token([CallerRoles.AuditRead], [tenant]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private sealed record Page(List<Item> Items, string? ContinuationToken);

    private sealed record Item(string Action, string? EventId, string? Subject);
}
