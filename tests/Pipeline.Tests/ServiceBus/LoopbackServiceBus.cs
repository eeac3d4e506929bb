using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Azure.ServiceBus;

namespace Pipeline.Tests.ServiceBus;

/// <summary>
/// A Service Bus namespace on 127.0.0.1 over real HTTPS (Kestrel, a throwaway self-signed certificate),
/// implementing the documented REST send contract: <c>POST /{topic}/messages</c> with a bearer token,
/// <c>BrokerProperties</c> JSON and one header per application property; 201 Created, 400 bad request,
/// 401 unauthorised, 403 message too large, 410 topic not found, and 500/503 on demand. Errors carry the
/// broker's XML body, <c>&lt;Error&gt;&lt;Code/&gt;&lt;Detail/&gt;&lt;/Error&gt;</c>. HTTPS because
/// Azure.Core's bearer policy refuses to send a token over plain HTTP, rightly.
/// </summary>
internal sealed class LoopbackServiceBus : IAsyncDisposable
{
    public const string AcceptedToken = "loopback-token";

    // Request headers that are transport or SDK plumbing, not application properties.
    private static readonly HashSet<string> NotProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Authorization", "BrokerProperties", "User-Agent", "Accept",
        "Accept-Encoding", "Connection", "Expect", "traceparent", "tracestate", "request-id",
    };

    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentQueue<int> _failures = new();
    private int _attempts;
    private int _disposed;

    private LoopbackServiceBus(WebApplication app, X509Certificate2 certificate)
    {
        _app = app;
        _certificate = certificate;
    }

    /// <summary>Topics that exist; a send to any other answers 410.</summary>
    public ConcurrentDictionary<string, bool> Topics { get; } = new(StringComparer.OrdinalIgnoreCase) { ["pipeline-events"] = true };

    /// <summary>Largest accepted body; larger answers 403 as Service Bus does for a too-large message.</summary>
    public int MaxMessageBytes { get; set; } = 256 * 1024;

    /// <summary>Messages the topic accepted (201).</summary>
    public ConcurrentQueue<ReceivedMessage> Received { get; } = new();

    /// <summary>Every request that reached the server, whatever it was answered.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<LoopbackServiceBus> StartAsync()
    {
        var certificate = CreateCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var server = new LoopbackServiceBus(app, certificate);
        app.Run(server.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server.Endpoint = new Uri(address);
        return server;
    }

    /// <summary>The next <paramref name="times"/> authorised sends are answered <paramref name="status"/>.</summary>
    public void FailNext(int status, int times)
    {
        for (var i = 0; i < times; i++)
        {
            _failures.Enqueue(status);
        }
    }

    /// <summary>A transport that trusts this server's certificate and nothing else.</summary>
    public HttpClientTransport CreateTransport()
    {
        var expected = _certificate.RawData;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(expected),
            },
        };
        return new HttpClientTransport(handler);
    }

    /// <summary>Options for a publisher that talks to this server: its transport, and retries with tiny fixed delays.</summary>
    public ServiceBusRestClientOptions ClientOptions(int maxRetries)
    {
        var options = new ServiceBusRestClientOptions { Transport = CreateTransport() };
        options.Retry.Mode = RetryMode.Fixed;
        options.Retry.MaxRetries = maxRetries;
        options.Retry.Delay = TimeSpan.FromMilliseconds(1);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(5);
        return options;
    }

    /// <summary>Stops the server; a test may call it early to make the namespace unreachable.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _attempts);
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (!HttpMethods.IsPost(request.Method) || !path.EndsWith("/messages", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, "Only POST /{topic}/messages is a send.");
            return;
        }

        if (request.Headers.Authorization.ToString() != "Bearer " + AcceptedToken)
        {
            await ErrorAsync(context, 401, "InvalidSignature: The token is missing or invalid.");
            return;
        }

        if (_failures.TryDequeue(out var failure))
        {
            await ErrorAsync(context, failure, "The server is busy. Please try again.");
            return;
        }

        var topic = Uri.UnescapeDataString(path[1..^"/messages".Length]);
        if (!Topics.ContainsKey(topic))
        {
            await ErrorAsync(context, 410, $"Entity 'loopback:Topic:{topic}' was not found.");
            return;
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, context.RequestAborted);
        if (body.Length > MaxMessageBytes)
        {
            await ErrorAsync(context, 403, $"The received message exceeds the limit ({MaxMessageBytes} bytes) currently allowed on the link.");
            return;
        }

        if (!TryReadBrokerProperties(request.Headers["BrokerProperties"].ToString(), out var brokerProperties))
        {
            await ErrorAsync(context, 400, "The BrokerProperties header is not a JSON object.");
            return;
        }

        var properties = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            if (!NotProperties.Contains(name) && !name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            {
                properties[name] = TypedValue(values.ToString());
            }
        }

        Received.Enqueue(new ReceivedMessage(topic, request.ContentType, brokerProperties, properties, body.ToArray()));
        context.Response.StatusCode = 201;
    }

    /// <summary>
    /// As the broker reads a property header: a JSON string or boolean is typed, anything else stays
    /// the raw text. Only a typed <c>true</c> satisfies the SQL filter <c>hasTranscript = true</c>.
    /// </summary>
    private static object TypedValue(string header)
    {
        try
        {
            using var document = JsonDocument.Parse(header);
            return document.RootElement.ValueKind switch
            {
                JsonValueKind.String => document.RootElement.GetString()!,
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => header,
            };
        }
        catch (JsonException)
        {
            return header;
        }
    }

    private static bool TryReadBrokerProperties(string header, out Dictionary<string, string> properties)
    {
        properties = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(header);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                properties[property.Name] = property.Value.ToString();
            }

            // Service Bus caps MessageId at 128 characters.
            return !properties.TryGetValue("MessageId", out var messageId) || messageId.Length <= 128;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task ErrorAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/xml; charset=utf-8";
        await context.Response.WriteAsync(
            $"<Error><Code>{status}</Code><Detail>{System.Security.SecurityElement.Escape(detail)} TrackingId:{Guid.NewGuid()}</Detail></Error>");
    }

    private static X509Certificate2 CreateCertificate()
    {
        // ECDSA P-256: generated in microseconds, where an RSA key would cost every test noticeable CPU.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        // Round-trip through PFX so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), password: null);
    }
}

/// <summary>A message as the topic stored it: typed application properties, the broker properties, the body.</summary>
internal sealed record ReceivedMessage(
    string Topic,
    string? ContentType,
    IReadOnlyDictionary<string, string> BrokerProperties,
    IReadOnlyDictionary<string, object> Properties,
    byte[] Body)
{
    /// <summary>The <c>transcripts</c> subscription's SQL filter, <c>hasTranscript = true</c>.</summary>
    public bool MatchesTranscriptsFilter => Properties.TryGetValue("hasTranscript", out var value) && value is true;
}
