using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Core.Events;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// The real handler over real HTTP with two tenants: <see cref="Tenant"/> accepts every vendor and
/// holds <c>scim:write</c> for MindTickle; <see cref="OtherTenant"/> accepts MindTickle only, without the scope.
/// The publisher is a recorder unless StartAsync is asked for the real Azurite queues.
/// </summary>
internal sealed class IngressHost : IAsyncDisposable
{
    private IngressHost(TestHost host, RecordingPublisher? publisher, string tenant, string otherTenant, Dictionary<string, string> secrets, string otherSecret)
    {
        Host = host;
        Publisher = publisher;
        Tenant = tenant;
        OtherTenant = otherTenant;
        Secrets = secrets;
        OtherSecret = otherSecret;
    }

    public TestHost Host { get; }

    public HttpClient Client => Host.Client;

    public RecordingPublisher? Publisher { get; }

    public string Tenant { get; }

    public string OtherTenant { get; }

    public IReadOnlyDictionary<string, string> Secrets { get; }

    public string OtherSecret { get; }

    public static async Task<IngressHost> StartAsync(
        AzuriteFixture azurite,
        IReadOnlyDictionary<string, string?>? extraSettings = null,
        bool realPublisher = false,
        Action<IServiceCollection>? services = null)
    {
        var tenant = Infrastructure.Secrets.NewTenant();
        var otherTenant = Infrastructure.Secrets.NewTenant();
        var secrets = WebhookVendors.All.Select(v => v.RouteName).ToDictionary(v => v, VendorSignatures.NewSecret);
        var otherSecret = VendorSignatures.NewSecret("mindtickle");
        var settings = new Dictionary<string, string?>
        {
            [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Secrets:0"] = VendorSignatures.NewSecret("mindtickle"),
            [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Secrets:1"] = secrets["mindtickle"],
            [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Scopes:0"] = EventCatalogue.ScimWriteScope,
            [$"Pipeline:Tenants:{otherTenant}:Vendors:mindtickle:Secrets:0"] = otherSecret,
            ["Pipeline:Webhooks:MaxBodyBytes"] = "65536",
            ["Pipeline:Webhooks:RateLimit:PermitsPerSecond"] = "100000",
            ["Pipeline:Webhooks:RateLimit:Burst"] = "100000",
        };
        foreach (var (vendor, secret) in secrets.Where(s => s.Key != "mindtickle"))
        {
            settings[$"Pipeline:Tenants:{tenant}:Vendors:{vendor}:Secrets:0"] = secret;
        }

        foreach (var (key, value) in extraSettings ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var publisher = realPublisher ? null : new RecordingPublisher();
        var host = await TestHost.StartAsync(azurite, settings, collection =>
        {
            if (publisher is not null)
            {
                collection.AddSingleton<IEventPublisher>(publisher);
            }

            services?.Invoke(collection);
        });
        return new IngressHost(host, publisher, tenant, otherTenant, secrets, otherSecret);
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) =>
        Client.SendAsync(request, TestContext.Current.CancellationToken);

    /// <summary>Signs and sends <paramref name="body"/> as <paramref name="vendor"/> for <see cref="Tenant"/>.</summary>
    public Task<HttpResponseMessage> SendSignedAsync(string vendor, string body, string id = "msg_1", DateTimeOffset? at = null, string eventType = "push") =>
        SendAsync(VendorSignatures.Request(vendor, Tenant, Secrets[vendor], System.Text.Encoding.UTF8.GetBytes(body), at ?? DateTimeOffset.UtcNow, id, eventType));

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

/// <summary>Records what would have gone to the broker; can be told to fail like an unavailable broker.</summary>
internal sealed class RecordingPublisher : IEventPublisher
{
    public ConcurrentQueue<BusMessage> Published { get; } = new();

    public Exception? FailWith { get; set; }

    public Task PublishAsync(BusMessage message, CancellationToken cancellationToken = default)
    {
        if (FailWith is { } failure)
        {
            return Task.FromException(failure);
        }

        Published.Enqueue(message);
        return Task.CompletedTask;
    }
}
