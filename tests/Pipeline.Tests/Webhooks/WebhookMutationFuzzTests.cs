using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Local;
using Pipeline.Core.Audit;
using Pipeline.Core.Webhooks;
using Pipeline.Host.Invocations;
using Pipeline.Host.Local;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Webhooks;

/// <summary>
/// Ten thousand mutations of valid webhooks, each re-signed with the tenant's real secret so it gets
/// past the signature to the parser, the schema and the consumer limits: hostile bytes (invalid UTF-8,
/// lone surrogates, nesting at 31–33 and 63–65), deletions, duplications, truncations. Every answer is
/// a 202 or a 4xx, no connection is dropped, and nothing answered 202 is lost: every accepted event
/// goes through the real WriteAudit (and EncryptTranscript) and its rows are in the audit table.
/// Seeded, so a failure replays.
/// </summary>
public sealed class WebhookMutationFuzzTests(AzuriteFixture azurite)
{
    private const int Mutations = 10_000;
    private const int Workers = 8;
    private const int Seed = 20261202;

    private static readonly byte[][] HostileTokens =
    [
        .. new[] { "\\ud800", "\\udfff", "\\ud83d", "\\u0000", "\"", "\\", "{", "}", "[", "]", ",", ":", "null", "1e999", "-0", "\\u00e9", "\ud83d\ude00" }
            .Select(Encoding.UTF8.GetBytes),
        [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0x00],
    ];

    private static readonly int[] Depths = [31, StrictJson.MaxDepth, StrictJson.MaxDepth + 1, 63, 64, 65];

    [Fact]
    public async Task Post_TenThousandResignedMutations_AreNeither5xxNorDroppedNorLost()
    {
        await using var host = await IngressHost.StartAsync(azurite);
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var accepted = new ConcurrentDictionary<string, bool>();

        await Parallel.ForAsync(0, Workers, TestContext.Current.CancellationToken, async (worker, cancellationToken) =>
        {
            var random = new Random(Seed + worker);
            for (var i = worker; i < Mutations; i += Workers)
            {
                var (vendor, body, kind) = Mutate(random, i);
                using var request = VendorSignatures.Request(vendor, host.Tenant, host.Secrets[vendor], body, DateTimeOffset.UtcNow, $"msg_fz_{i}");
                try
                {
                    using var response = await host.Client.SendAsync(request, cancellationToken);
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                    if (status == 202)
                    {
                        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                        accepted[answer.GetProperty("eventId").GetString()!] = vendor == "twinmind";
                    }
                    else if (status is < 400 or > 499)
                    {
                        failures.Enqueue($"#{i} {kind}: {status}");
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue($"#{i} {kind}: dropped ({e.HttpRequestError})");
                }
            }
        });

        Assert.Empty(failures);
        Assert.Equal(Mutations, statuses.Values.Sum());
        var summary = string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}"));
        foreach (var status in new[] { 202, 400, 422 })
        {
            Assert.True(statuses.ContainsKey(status), $"no {status} among {summary}");
        }

        Assert.True(accepted.Count >= Mutations / 20, $"too few mutations accepted to exercise the consumers: {summary}");

        // Not lost: what was published goes through the real consumers, and each accepted event has its rows.
        var published = host.Publisher!.Published.ToList();
        Assert.Equal(accepted.Count, published.Select(m => m.MessageId).Distinct(StringComparer.Ordinal).Count());
        var invoker = host.Host.Services.GetRequiredService<FunctionInvoker>();
        await Parallel.ForEachAsync(published, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = TestContext.Current.CancellationToken }, async (message, cancellationToken) =>
        {
            var now = DateTimeOffset.UtcNow;
            var envelope = LocalQueueEnvelope.From(message, now);
            foreach (var function in message.HasTranscript ? new[] { "WriteAudit", "EncryptTranscript" } : ["WriteAudit"])
            {
                var result = await invoker.InvokeAsync(function, LocalInvocations.BuildInvocation(envelope, 1, function, now), cancellationToken);
                if (!result.Succeeded)
                {
                    failures.Enqueue($"{function} failed for {message.MessageId}: {string.Join(' ', result.Logs)}");
                }
            }
        });

        Assert.Empty(failures);
        var rows = await AuditRows.ForTenantAsync(azurite, host.Tenant);
        var audited = rows.Where(r => r.GetString("Action") == AuditActions.EventAccepted).Select(r => r.GetString("EventId")).ToHashSet(StringComparer.Ordinal);
        var stored = rows.Where(r => r.GetString("Action") == AuditActions.TranscriptStored).Select(r => r.GetString("EventId")).ToHashSet(StringComparer.Ordinal);
        // Handled: stored, or audited as not stored for a stated reason (a mutation that drops the recorded
        // consent is skipped, no-consent; one that reuses another event's transcript id is a conflict).
        var handled = rows.Where(r => r.GetString("Action") is AuditActions.TranscriptStored or AuditActions.TranscriptSkipped or AuditActions.TranscriptRejected)
            .Select(r => r.GetString("EventId")).ToHashSet(StringComparer.Ordinal);
        var unaudited = accepted.Keys.Where(id => !audited.Contains(id)).ToList();
        Assert.Empty(unaudited);
        Assert.Empty(published.Where(m => m.HasTranscript && !handled.Contains(m.MessageId)).Select(m => m.MessageId));
        Assert.True(stored.Count >= published.Count(m => m.HasTranscript) / 2, $"{stored.Count} of {published.Count(m => m.HasTranscript)} transcripts stored");
        TestContext.Current.TestOutputHelper?.WriteLine($"{Mutations} mutations: {summary}; {accepted.Count} accepted, all audited, {stored.Count} transcripts stored.");
    }

    /// <summary>A valid event of some type with a fresh id, then one to three mutations.</summary>
    private static (string Vendor, byte[] Body, string Kind) Mutate(Random random, int index)
    {
        var (vendor, text) = ValidEvent(random, index);
        var body = Encoding.UTF8.GetBytes(text);
        var kinds = new List<string>();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var kind = random.Next(10);
            kinds.Add(kind.ToString(System.Globalization.CultureInfo.InvariantCulture));
            body = kind switch
            {
                0 => FlipBit(random, body),
                1 or 2 => Insert(body, random.Next(body.Length + 1), HostileTokens[random.Next(HostileTokens.Length)]),
                3 => InsertIntoString(random, body, HostileTokens[random.Next(HostileTokens.Length)]),
                4 => Delete(random, body),
                5 => Duplicate(random, body),
                6 => body[..random.Next(body.Length + 1)],
                7 => Nest(body, Depths[random.Next(Depths.Length)]),
                8 => Insert(body, random.Next(body.Length + 1), Encoding.UTF8.GetBytes(random.Next(3) switch { 0 => "1e400", 1 => "99999999999999999999999999", _ => "-1" })),
                _ => ReplaceByte(random, body),
            };
        }

        return (vendor, body, $"{vendor} mutations {string.Join('+', kinds)}");
    }

    private static (string, string) ValidEvent(Random random, int index)
    {
        var id = $"fz-{index}";
        switch (random.Next(7))
        {
            case 0:
                return ("mindtickle", $$$"""{"event_id":"{{{id}}}","event_type":"course.completed","occurred_at":"2026-12-02T10:00:00Z","data":{"user_email":"p{{{index}}}@example.com","score":{{{random.Next(101)}}}}}""");
            case 1:
                return ("mindtickle", $$$"""{"event_id":"{{{id}}}","event_type":"certification.status_changed","data":{"certification_status":"passed","user_email":"p{{{index}}}@example.com"}}""");
            case 2:
                return ("mindtickle", $$$"""{"event_id":"{{{id}}}","event_type":"coaching.session.completed","data":{"coaching_notes":"Good call, work on discovery. Ünïcödé ✓","score":4.5}}""");
            case 3:
            {
                var user = EventCatalogueTests.UserEvent(random.Next(2) == 0 ? "user.created" : "user.updated");
                user["event_id"] = id;
                return ("mindtickle", user.ToJsonString());
            }

            case 4:
            {
                var participants = string.Join(',', Enumerable.Range(0, random.Next(0, 6)).Select(p => $$$"""{"name":"P{{{p}}}","email":"p{{{p}}}.{{{index}}}@example.com"}"""));
                return ("twinmind", $$$"""{"id":"{{{id}}}","type":"transcript.completed","created_at":"2026-12-02T10:00:00Z","data":{"transcript_id":"tr-{{{index}}}","meeting_id":"m-{{{index}}}","language":"en","consent":true,"transcript":"Alice: hello. Bob: hi — ça va?","participants":[{{{participants}}}],"audio_url":"https://a/b.mp3"}}""");
            }

            case 5:
                return ("twinmind", $$$"""{"id":"{{{id}}}","type":"meeting.started","data":{"meeting_id":"m-{{{index}}}"}}""");
            default:
                return ("standard", $$$$"""{"type":"invoice.paid","timestamp":"2026-12-02T10:00:00Z","data":{"amount":{{{{random.Next()}}}},"nested":{"list":[1,"two",{"three":3}]}}}""");
        }
    }

    private static byte[] FlipBit(Random random, byte[] body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var copy = body.ToArray();
        copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        return copy;
    }

    private static byte[] ReplaceByte(Random random, byte[] body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var copy = body.ToArray();
        copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    private static byte[] Insert(byte[] body, int at, byte[] token) => [.. body[..at], .. token, .. body[at..]];

    /// <summary>Inserts right after the opening quote of a random string value, so the parser accepts the rest.</summary>
    private static byte[] InsertIntoString(Random random, byte[] body, byte[] token)
    {
        var starts = Enumerable.Range(0, Math.Max(0, body.Length - 1)).Where(i => body[i] == (byte)':' && body[i + 1] == (byte)'"').ToList();
        return starts.Count == 0 ? Insert(body, 0, token) : Insert(body, starts[random.Next(starts.Count)] + 2, token);
    }

    private static byte[] Delete(Random random, byte[] body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var at = random.Next(body.Length);
        var length = random.Next(1, Math.Min(16, body.Length - at) + 1);
        return [.. body[..at], .. body[(at + length)..]];
    }

    private static byte[] Duplicate(Random random, byte[] body)
    {
        if (body.Length == 0)
        {
            return body;
        }

        var at = random.Next(body.Length);
        var length = random.Next(1, Math.Min(32, body.Length - at) + 1);
        return Insert(body, at, body[at..(at + length)]);
    }

    /// <summary>The value of <c>"data"</c> wrapped so the document nests <paramref name="depth"/> deep.</summary>
    private static byte[] Nest(byte[] body, int depth)
    {
        var text = Encoding.UTF8.GetString(body);
        var at = text.IndexOf("\"data\":", StringComparison.Ordinal);
        var end = text.LastIndexOf('}');
        if (at < 0 || end <= at)
        {
            return Encoding.UTF8.GetBytes(HostileInputTests.Nested(depth));
        }

        // data sits at depth 2; each array adds one. The inner value is an object or more, so this is a lower bound.
        var arrays = Math.Max(0, depth - 2);
        var open = at + "\"data\":".Length;
        return Encoding.UTF8.GetBytes(text[..open] + new string('[', arrays) + text[open..end] + new string(']', arrays) + text[end..]);
    }
}
