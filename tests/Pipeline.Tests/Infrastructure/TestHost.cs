using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Host;

namespace Pipeline.Tests.Infrastructure;

/// <summary>
/// The real handler (HandlerApp, Kestrel, real HTTP on a free loopback port) in Local mode against
/// the shared Azurite. Each host gets its own topic name, so its subscription queues are its own.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private TestHost(WebApplication app, Uri baseAddress, string topic)
    {
        App = app;
        BaseAddress = baseAddress;
        Topic = topic;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    /// <summary>The Local mode token key every test host uses (made at run time).</summary>
    public static readonly string LocalSigningKey = Secrets.NewSecret();

    /// <summary>The pseudonym key every test host uses (made at run time).</summary>
    public static readonly string PseudonymKey = Secrets.NewSecret();

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    /// <summary>This host's topic name; its Local mode queues are <c>{Topic}-audit</c> and <c>{Topic}-transcripts</c>.</summary>
    public string Topic { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<TestHost> StartAsync(
        AzuriteFixture azurite,
        IReadOnlyDictionary<string, string?> settings,
        Action<IServiceCollection>? services = null)
    {
        var topic = $"t-{Guid.NewGuid():N}"[..20];
        var app = HandlerApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Pipeline:Mode"] = "Local",
                ["Pipeline:Storage:ConnectionString"] = azurite.ConnectionString,
                ["Pipeline:ServiceBus:TopicName"] = topic,
                ["Pipeline:Auth:LocalSigningKey"] = LocalSigningKey,
                ["Pipeline:Audit:PseudonymKey"] = PseudonymKey,
            });
            builder.Configuration.AddInMemoryCollection(settings);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new TestHost(app, new Uri(address), topic);
    }

    /// <summary>A request to the caller APIs, with a bearer token when one is given.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearerToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearerToken);
        }

        return await Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
