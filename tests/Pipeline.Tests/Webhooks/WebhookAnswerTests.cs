using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// How the ingress answers on the wire, through the real handler over real HTTP: the 202 is JSON with its
/// length, and the authentication middleware stays off webhook paths (a webhook is judged by its signature)
/// while every API path still authenticates.
/// </summary>
public sealed class WebhookAnswerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Post_Accepted_IsJsonWithItsLengthNotChunked()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var body = NewCourseCompleted();

        using var first = await host.SendSignedAsync("mindtickle", body);
        using var again = await host.SendSignedAsync("mindtickle", body);

        foreach (var (response, duplicate) in new[] { (first, false), (again, true) })
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
            var bytes = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            Assert.Equal(bytes.Length, response.Content.Headers.ContentLength);

            // The same camelCase fields as the framework's JSON result wrote, and nothing else.
            using var json = JsonDocument.Parse(bytes);
            Assert.Equal(["eventId", "duplicate", "traceId"], json.RootElement.EnumerateObject().Select(p => p.Name));
            Assert.StartsWith("evt_", json.RootElement.GetProperty("eventId").GetString(), StringComparison.Ordinal);
            Assert.Equal(duplicate, json.RootElement.GetProperty("duplicate").GetBoolean());
            Assert.Matches("^[0-9a-f]{32}$", json.RootElement.GetProperty("traceId").GetString());
        }
    }

    [Fact]
    public async Task Authentication_RunsOnApiPathsButNotOnWebhooks()
    {
        var counter = new AuthenticationCounter();
        await using var host = await IngressHost.StartAsync(azurite, services: s =>
        {
            s.AddSingleton(counter);
            s.AddScoped<IAuthenticationHandlerProvider, CountingHandlerProvider>();
        });
        var body = NewCourseCompleted();

        using var accepted = await host.SendSignedAsync("mindtickle", body);
        using var refused = await host.SendAsync(Signing.Json($"/API/Webhooks/mindtickle/{host.Tenant}", Encoding.UTF8.GetBytes(body)));
        var afterWebhooks = counter.Requests;
        using var anonymous = await host.Client.GetAsync(new Uri($"/api/audit/{host.Tenant}", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode); // unsigned: missing-headers, from the ingress itself
        Assert.Equal(0, afterWebhooks);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.True(counter.Requests > 0, "the API request went through the authentication middleware");
    }

    private static string NewCourseCompleted() =>
        """{"event_id":"e-1","event_type":"course.completed","data":{"score":97}}""".Replace("e-1", $"e-{Guid.NewGuid():N}", StringComparison.Ordinal);

    private sealed class AuthenticationCounter
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public void Count() => Interlocked.Increment(ref _requests);
    }

    /// <summary>The framework's provider, counting the requests that ask for it (one per request through the middleware).</summary>
    private sealed class CountingHandlerProvider : AuthenticationHandlerProvider
    {
        public CountingHandlerProvider(IAuthenticationSchemeProvider schemes, AuthenticationCounter counter)
            : base(schemes) => counter.Count();
    }
}
