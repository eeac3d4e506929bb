using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Pipeline.Tests.Infrastructure;
using static Pipeline.Tests.Webhooks.VendorSignatures;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// Ten thousand malformed requests through the real handler over real HTTP: every one answered 4xx,
/// none accepted, none a 5xx, and the handler still healthy afterwards. Seeded, so a failure replays.
/// </summary>
public sealed class WebhookFuzzTests(AzuriteFixture azurite)
{
    private const int Requests = 10_000;
    private const int Workers = 8;
    private const string Chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=,._-: {}[]\"\\";

    [Fact]
    public async Task Post_TenThousandMalformedRequests_AllAnswered4xx()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var failures = new ConcurrentQueue<string>();
        const int seed = 20261122;

        await Parallel.ForAsync(0, Workers, TestContext.Current.CancellationToken, async (worker, cancellationToken) =>
        {
            var random = new Random(seed + worker);
            for (var i = worker; i < Requests; i += Workers)
            {
                var (kind, request) = Malformed(random, host);
                using (request)
                using (var response = await host.Client.SendAsync(request, cancellationToken))
                {
                    statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                    if ((int)response.StatusCode is < 400 or > 499)
                    {
                        failures.Enqueue($"#{i} {kind}: {(int)response.StatusCode}");
                    }
                }
            }
        });

        Assert.Empty(failures);
        Assert.Equal(Requests, statuses.Values.Sum());
        Assert.Empty(host.Publisher!.Published);
        using var health = await host.Client.GetAsync(new Uri("/api/health", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // The mix reached every layer, not just the first check.
        foreach (var status in new[] { 400, 401, 403, 404, 413, 415, 422 })
        {
            Assert.True(statuses.ContainsKey((HttpStatusCode)status), $"no {status} among {string.Join(", ", statuses.Select(s => $"{(int)s.Key}x{s.Value}"))}");
        }
    }

    private static (string Kind, HttpRequestMessage Request) Malformed(Random random, IngressHost host)
    {
        var vendor = VendorSignatures.Original[random.Next(VendorSignatures.Original.Length)];
        var secret = host.Secrets[vendor];
        var now = DateTimeOffset.UtcNow;
        switch (random.Next(12))
        {
            case 0:
                return ("unknown vendor", Signing.Json($"/api/webhooks/{Uri.EscapeDataString(Text(random, 1, 40))}/{host.Tenant}", Bytes(random, 0, 200)));
            case 1:
                return ("unknown tenant", Request(vendor, Uri.EscapeDataString(Text(random, 1, 300)), secret, Bytes(random, 0, 200), now));
            case 2:
            {
                var request = Request(vendor, host.Tenant, secret, Encoding.UTF8.GetBytes("""{"type":"a","event_type":"a"}"""), now);
                request.Content!.Headers.ContentType = new MediaTypeHeaderValue(random.Next(2) == 0 ? "text/plain" : "application/xml");
                return ("not json", request);
            }

            case 3:
                return ("over limit", Request(vendor, host.Tenant, secret, Bytes(random, 65_537, 70_000), now));
            case 4:
            {
                // Correctly signed, then one bit of the body flipped in transit.
                var body = Encoding.UTF8.GetBytes($$$"""{"event_id":"{{{random.Next()}}}","event_type":"course.completed","id":"x","type":"a","data":{"score":1}}""");
                var request = Request(vendor, host.Tenant, secret, body, now);
                var tampered = body.ToArray();
                tampered[random.Next(tampered.Length)] ^= (byte)(1 << random.Next(8));
                request.Content = Json(tampered);
                return ("tampered body", request);
            }

            case 5:
            {
                var request = Signing.Json($"/api/webhooks/{vendor}/{host.Tenant}", Bytes(random, 0, 500));
                foreach (var (name, _) in HeadersFor(vendor, secret, [], now))
                {
                    request.Headers.TryAddWithoutValidation(name, Text(random, 0, 120));
                }

                return ("garbage signature headers", request);
            }

            case 6:
                return ("missing headers", Signing.Json($"/api/webhooks/{vendor}/{host.Tenant}", Bytes(random, 0, 300)));
            case 7:
                return ("stale or future", Request(vendor == "twinmind" ? "standard" : vendor, host.Tenant,
                    host.Secrets[vendor == "twinmind" ? "standard" : vendor], Encoding.UTF8.GetBytes("""{"type":"a","event_type":"a"}"""),
                    now.AddSeconds((random.Next(2) == 0 ? -1 : 1) * random.Next(400, 1_000_000))));
            case 8:
                // Correctly signed bytes that are not one JSON object (random bytes, truncated or deep JSON).
                return ("signed non-json", Request(vendor, host.Tenant, secret, NotAJsonObject(random), now));
            case 9:
                // Correctly signed JSON objects without a valid event type: schema-invalid.
                return ("signed schema-invalid", Request(vendor, host.Tenant, secret, Encoding.UTF8.GetBytes(ObjectWithoutType(random)), now));
            case 10:
                // Correctly signed SCIM user events with one broken field.
                return ("signed bad scim", Request("mindtickle", host.Tenant, host.Secrets["mindtickle"], BrokenScimUser(random), now));
            default:
                return ("wrong tenant's secret", Request("mindtickle", host.Tenant, host.OtherSecret, Bytes(random, 0, 300), now));
        }
    }

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static byte[] Bytes(Random random, int min, int max)
    {
        var bytes = new byte[random.Next(min, max + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string Text(Random random, int min, int max) =>
        new([.. Enumerable.Range(0, random.Next(min, max + 1)).Select(_ => Chars[random.Next(Chars.Length)])]);

    private static byte[] NotAJsonObject(Random random) => random.Next(5) switch
    {
        0 => Bytes(random, 0, 400),
        1 => Encoding.UTF8.GetBytes("""{"event_type":"a","type":"a","data":{"x":[1,2,""" + Text(random, 0, 20)),
        2 => Encoding.UTF8.GetBytes(new string('[', random.Next(65, 2000)) + new string(']', random.Next(0, 10))),
        3 => Encoding.UTF8.GetBytes(random.Next(3) switch { 0 => "[]", 1 => "\"text\"", _ => "12345" }),
        _ => Encoding.UTF8.GetBytes("""{"event_type":"a","type":"a","event_type":"b","type":"b"}"""),
    };

    private static string ObjectWithoutType(Random random) => random.Next(4) switch
    {
        0 => "{}",
        1 => $$"""{"{{Text(random, 1, 10).Replace("\"", "", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal)}}x":1}""",
        2 => """{"event_type":7,"type":false}""",
        _ => """{"event_type":"","type":"","data":{}}""",
    };

    private static byte[] BrokenScimUser(Random random)
    {
        var payload = EventCatalogueTests.UserEvent(random.Next(2) == 0 ? "user.created" : "user.updated");
        var user = payload["data"]!["user"]!.AsObject();
        switch (random.Next(5))
        {
            case 0: user["userName"] = new string('u', random.Next(255, 400)); break;
            case 1: user["emails"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonObject { ["value"] = Text(random, 0, 30).Replace("@", "", StringComparison.Ordinal) }); break;
            case 2: user.Remove("userName"); break;
            case 3: user["active"] = "maybe"; break;
            default: user["name"] = 5; break;
        }

        return Encoding.UTF8.GetBytes(payload.ToJsonString());
    }
}
