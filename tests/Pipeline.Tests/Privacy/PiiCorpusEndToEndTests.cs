using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Azure.Local;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Pipeline.Core.Events;
using Pipeline.Core.Telemetry;
using Pipeline.Core.Webhooks.Vendors;
using Pipeline.Host.Auth;
using Pipeline.Tests.Infrastructure;
using Pipeline.Tests.Telemetry;

namespace Pipeline.Tests.Privacy;

/// <summary>
/// Issue 16's corpus through the real handler on Azurite: a unique marker in every field of every event
/// type that its schema does not classify safe (names, titles, SCIM ids, scores' neighbours, notes, free
/// text with phones, SSNs and cards, Unicode emails, unknown fields, nested unknown objects, an undeclared
/// event type, all of a Standard Webhooks event's data), plus an email in a safe field for the second
/// net. Then every table, every queue message, every log line, every problem response and every span,
/// metric and log record the handler's OpenTelemetry pipeline exported (to memory) is scanned: no marker anywhere. The transcript, which carries a marker in its text, still round-trips through the API.
/// </summary>
public sealed class PiiCorpusEndToEndTests(AzuriteFixture azurite)
{
    private readonly string _run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly List<string> _markers = [];

    /// <summary>A fresh marker: 'm', 'k' and 'x' are no hex digits, so no pseudonym or hash can contain one.</summary>
    private string M()
    {
        var marker = $"mk{_run}x{_markers.Count:D3}";
        _markers.Add(marker);
        return marker;
    }

    private string Email() => $"{M()}.jürgen@bücher.example";

    private JsonObject Unknown() => new()
    {
        ["x_note"] = $"call +1 415 555 0199 or {M()}",
        ["x_nested"] = new JsonObject { ["deeper"] = new JsonObject { ["secret"] = M(), ["list"] = new JsonArray(M(), new JsonObject { ["k"] = M() }) } },
        [$"by_{M()}"] = "key-named",
    };

    [Fact]
    public async Task Corpus_EveryFieldOfEveryEventType_NoMarkerInAnyTableQueueLogOrProblem_TranscriptRoundTrips()
    {
        var tenant = Secrets.NewTenant();
        var secrets = new Dictionary<string, string>
        {
            ["mindtickle"] = Secrets.NewSecret(),
            ["twinmind"] = Secrets.NewSecret(),
            ["standard"] = Secrets.NewWhsec(),
            ["github"] = Secrets.NewSecret(),
            ["stripe"] = "whsec_" + Secrets.NewSecret(),
        };
        var settings = new Dictionary<string, string?>
        {
            ["Pipeline:KeyVault:LocalKeyFile"] = Path.Combine(Directory.CreateTempSubdirectory("pipeline-corpus-").FullName, "kek.json"),
            [$"Pipeline:Tenants:{tenant}:Vendors:mindtickle:Scopes:0"] = "scim:write",
        };
        foreach (var (vendor, secret) in secrets)
        {
            settings[$"Pipeline:Tenants:{tenant}:Vendors:{vendor}:Secrets:0"] = secret;
        }

        var logs = new CapturedLogs();
        var telemetry = new TelemetryCapture();
        await using var host = await TestHost.StartAsync(azurite, TelemetryCapture.With(settings), services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            telemetry.AddTo(services);
        });
        var transcriptId = $"tr-{_run}";
        var transcriptText = $"Priya: the {M()} numbers, reach me on +44 20 7946 0958, SSN 078-05-1120, card 4111 1111 1111 1111.";
        var events = Events(transcriptId, transcriptText);
        var problems = new List<string>();

        foreach (var (vendor, body, typeHeader) in events)
        {
            var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());
            using var accepted = await SendAsync(host, vendor, tenant, secrets[vendor], bytes, typeHeader);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            using var forged = await SendAsync(host, vendor, tenant, Webhooks.VendorSignatures.NewSecret(vendor), bytes, typeHeader);
            using var unknownTenant = await SendAsync(host, vendor, "no-such-tenant", secrets[vendor], bytes, typeHeader);
            Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden), (forged.StatusCode, unknownTenant.StatusCode));
            problems.Add(await TextAsync(accepted));
            problems.Add(await TextAsync(forged));
            problems.Add(await TextAsync(unknownTenant));
        }

        // Schema-invalid events answer 422 naming the field, never its value.
        var invalid = (JsonObject)events[0].Body.DeepClone();
        invalid["data"]!["user"]!["emails"]![0]!["value"] = $"not an email {M()}";
        using (var schemaInvalid = await SendAsync(host, "mindtickle", tenant, secrets["mindtickle"], Encoding.UTF8.GetBytes(invalid.ToJsonString())))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, schemaInvalid.StatusCode);
            problems.Add(await TextAsync(schemaInvalid));
        }

        // A personal value as a route id is a 400, audited without it.
        var token = LocalTokens.Mint(TestHost.LocalSigningKey, "oid-reader", [CallerRoles.TranscriptsRead, CallerRoles.AuditRead, CallerRoles.SubjectsExport], [tenant], DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
        using (var badId = await GetAsync(host, $"/api/transcripts/{tenant}/{Uri.EscapeDataString(Email())}", token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
            problems.Add(await TextAsync(badId));
        }

        // Every accepted event's row and the transcript are written.
        var rows = await Eventually.GetAsync(
            async () =>
            {
                var current = await AuditRows.ForTenantAsync(azurite, tenant);
                return current.Count(r => r.GetString("Action") == AuditActions.EventAccepted) >= events.Count
                    && current.Any(r => r.GetString("Action") == AuditActions.TranscriptStored) ? current : null;
            },
            "the audit rows of the corpus");
        Assert.Equal("success", rows.Single(r => r.GetString("Action") == AuditActions.TranscriptStored).GetString("Outcome"));

        // The transcript round-trips, marker and all, through the API (the one place plaintext may appear).
        using (var read = await GetAsync(host, $"/api/transcripts/{tenant}/{transcriptId}", token))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal(transcriptText, JsonNode.Parse(await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["transcript"]!.GetValue<string>());
        }

        using (var query = await GetAsync(host, $"/api/audit/{tenant}?from={DateTime.UtcNow.AddDays(-1):O}&to={DateTime.UtcNow.AddDays(1):O}", token))
        {
            Assert.Equal(HttpStatusCode.OK, query.StatusCode);
            problems.Add(await TextAsync(query));
        }

        var tables = await AllTablesTextAsync();
        var queues = await AllQueuesTextAsync();
        var logText = string.Join('\n', logs.Entries.Select(e => $"{e.Message} {string.Join(' ', e.Fields.Values)} {e.Exception}"));

        Assert.True(_markers.Count > 60, $"{_markers.Count} markers");
        Assert.Empty(Found(tables));
        Assert.Empty(Found(queues));
        Assert.Empty(Found(logText));
        Assert.Empty(Found(string.Join('\n', problems)));
        var spans = telemetry.SpansText();
        var metrics = telemetry.MetricsText(host);
        var exportedLogs = telemetry.LogsText();
        Assert.Empty(Found(spans));
        Assert.Empty(Found(metrics));
        Assert.Empty(Found(exportedLogs));
        // The scans saw what they claim to: this tenant's rows and the handler's log lines.
        Assert.Contains(tenant, tables, StringComparison.Ordinal);
        Assert.Contains(Pseudonyms.Of(TestHost.PseudonymKey, events[4].Body["data"]!["participants"]![0]!["email"]!.GetValue<string>()), tables, StringComparison.Ordinal);
        Assert.NotEmpty(logs.Entries);
        // ...and the exporters saw this run: its tenant's ingress spans and metrics, and log records.
        Assert.Contains($"{TelemetryAttributes.Tenant}={tenant}", metrics, StringComparison.Ordinal);
        Assert.Contains("process EncryptTranscript", spans, StringComparison.Ordinal);
        Assert.Contains("/api/transcripts/{tenant}/{transcriptId}", spans, StringComparison.Ordinal);
        Assert.DoesNotContain("url.path=", spans, StringComparison.Ordinal);
        Assert.True(telemetry.LogCount > 0);
    }

    /// <summary>Each event with the type header of a vendor that sends its type as a header (GitHub), else null.</summary>
    private List<(string Vendor, JsonObject Body, string? TypeHeader)> Events(string transcriptId, string transcriptText) =>
    [
        ("mindtickle", new JsonObject
        {
            ["event_id"] = $"mt-{_run}-user", ["event_type"] = "user.created", ["occurred_at"] = "2026-11-22T10:00:00Z",
            ["data"] = new JsonObject
            {
                ["user"] = new JsonObject
                {
                    ["schemas"] = new JsonArray(M()), ["id"] = M(), ["externalId"] = M(), ["userName"] = Email(),
                    ["name"] = new JsonObject { ["givenName"] = M(), ["familyName"] = M(), ["middleName"] = M(), ["formatted"] = M() },
                    ["displayName"] = M(), ["title"] = M(), ["department"] = M(), ["active"] = true,
                    ["emails"] = new JsonArray(new JsonObject { ["value"] = Email(), ["type"] = M(), ["primary"] = true }, new JsonObject { ["value"] = Email(), ["type"] = M() }),
                    ["phoneNumbers"] = new JsonArray(new JsonObject { ["value"] = $"+1 415 555 0142 {M()}" }),
                    [Core.Webhooks.Vendors.MindTickle.MindTickleEvents.EnterpriseUser] = new JsonObject
                    {
                        ["employeeNumber"] = M(), ["department"] = M(), ["manager"] = new JsonObject { ["value"] = M(), ["displayName"] = M() }, ["costCenter"] = M(),
                    },
                    ["x_extra"] = Unknown(),
                },
                ["x_sibling"] = Unknown(),
            },
            ["x_root"] = Unknown(),
        }, null),
        ("mindtickle", new JsonObject
        {
            ["event_id"] = $"mt-{_run}-course", ["event_type"] = "course.completed", ["occurred_at"] = "2026-11-22T10:01:00Z",
            ["data"] = new JsonObject
            {
                ["user_email"] = Email(), ["course_id"] = $"c-{_run}", ["score"] = 93.5, ["learner_name"] = M(), ["manager_name"] = M(), ["manager_email"] = Email(),
                ["comment"] = $"Call 415-555-0199, SSN 078-05-1120, card 4111-1111-1111-1111, mail {Email()} {M()}", ["x"] = Unknown(),
            },
        }, null),
        ("mindtickle", new JsonObject
        {
            ["event_id"] = $"mt-{_run}-cert", ["event_type"] = "certification.status_changed", ["occurred_at"] = "2026-11-22T10:02:00Z",
            ["data"] = new JsonObject
            {
                ["email"] = Email(), ["certification_status"] = M(), ["certification_id"] = $"cert-{_run}",
                ["history"] = new JsonArray(new JsonObject { ["certification_status"] = M(), ["at"] = M() }), ["x"] = Unknown(),
            },
        }, null),
        ("mindtickle", new JsonObject
        {
            ["event_id"] = $"mt-{_run}-coach", ["event_type"] = "coaching.session.completed", ["occurred_at"] = "2026-11-22T10:03:00Z",
            ["data"] = new JsonObject
            {
                ["userName"] = Email(), ["session_id"] = $"s-{_run}", ["coaching_notes"] = $"Struggles with closing {M()}", ["score"] = 41,
                ["free_text"] = new JsonArray($"IBAN DE89 3704 0044 0532 0130 00 {M()}", new JsonObject { ["ip"] = $"203.0.113.77 {M()}" }), ["x"] = Unknown(),
            },
        }, null),
        ("twinmind", new JsonObject
        {
            ["id"] = $"tm-{_run}", ["type"] = "transcript.completed", ["created_at"] = "2026-11-22T10:04:00Z",
            ["data"] = new JsonObject
            {
                // A safe field holding an email: kept, so the pattern net must pseudonymise it.
                ["transcript_id"] = transcriptId, ["meeting_id"] = Email(), ["language"] = "en", ["consent"] = true,
                ["participants"] = new JsonArray(
                    new JsonObject { ["name"] = M(), ["email"] = Email(), ["x"] = Unknown() },
                    new JsonObject { ["name"] = M(), ["email"] = Email() }),
                ["transcript"] = transcriptText, ["summary"] = $"Follow up {M()} +44 20 7946 0958", ["action_items"] = new JsonArray(M(), M()),
                ["title"] = M(), ["x"] = Unknown(),
            },
        }, null),
        ("standard", new JsonObject
        {
            ["type"] = "contact.updated", ["timestamp"] = "2026-11-22T10:05:00Z",
            ["data"] = new JsonObject { ["contact"] = new JsonObject { ["name"] = M(), ["email"] = Email() }, ["lists"] = new JsonArray(new JsonArray(M())), ["x"] = Unknown() },
        }, null),
        // An event type MindTickle does not declare: a generic event, its data dropped whole.
        ("mindtickle", new JsonObject
        {
            ["event_id"] = $"mt-{_run}-badge", ["event_type"] = "badge.earned", ["occurred_at"] = "2026-11-22T10:06:00Z",
            ["data"] = new JsonObject { ["user_email"] = Email(), ["badge"] = M(), ["x"] = Unknown() },
        }, null),
        ("github", new JsonObject
        {
            ["zen"] = "Design for failure.", ["hook_id"] = 42,
            ["hook"] = new JsonObject
            {
                ["type"] = "Repository", ["id"] = 42, ["name"] = M(), ["active"] = true, ["events"] = new JsonArray("push"),
                ["config"] = new JsonObject { ["url"] = $"https://hooks.example/in?token={M()}", ["secret"] = M() },
            },
            ["repository"] = new JsonObject { ["id"] = 1296269, ["name"] = M(), ["full_name"] = $"{M()}/repo", ["owner"] = new JsonObject { ["login"] = M(), ["email"] = Email() } },
            ["sender"] = new JsonObject { ["login"] = M(), ["id"] = 583231, ["email"] = Email() },
            ["x"] = Unknown(),
        }, "ping"),
        ("github", new JsonObject
        {
            ["ref"] = "refs/heads/main", ["before"] = "6113728f27ae82c7b1a177c8d03f9e96e0adf246", ["after"] = "76ae82c7b1a177c8d03f9e96e0adf2466113728f",
            ["created"] = false, ["deleted"] = false, ["forced"] = false, ["compare"] = $"https://github.com/{M()}/repo/compare/a...b",
            ["commits"] = new JsonArray(new JsonObject
            {
                ["id"] = "76ae82c7b1a177c8d03f9e96e0adf2466113728f", ["timestamp"] = "2026-11-22T10:07:00Z", ["distinct"] = true,
                ["message"] = $"Fix for {M()}, call +1 415 555 0199", ["added"] = new JsonArray($"people/{M()}.md"),
                ["author"] = new JsonObject { ["name"] = M(), ["email"] = Email(), ["username"] = M() },
                ["committer"] = new JsonObject { ["name"] = M(), ["email"] = Email(), ["username"] = M() },
                ["x"] = Unknown(),
            }),
            ["head_commit"] = new JsonObject { ["id"] = "76ae82c7b1a177c8d03f9e96e0adf2466113728f", ["message"] = M(), ["author"] = new JsonObject { ["name"] = M(), ["email"] = Email() } },
            ["pusher"] = new JsonObject { ["name"] = M(), ["email"] = Email() },
            ["repository"] = new JsonObject { ["id"] = 1296269, ["full_name"] = M() },
            ["sender"] = new JsonObject { ["login"] = M(), ["id"] = 583231 },
            ["x_root"] = Unknown(),
        }, "push"),
        // An event type GitHub has that the pipeline does not declare: its envelope ids only.
        ("github", new JsonObject
        {
            ["action"] = "opened",
            ["issue"] = new JsonObject { ["title"] = M(), ["body"] = $"{M()} {Email()}", ["user"] = new JsonObject { ["login"] = M() } },
            ["repository"] = new JsonObject { ["id"] = 1296269, ["name"] = M() },
            ["x"] = Unknown(),
        }, "issues"),
        ("stripe", new JsonObject
        {
            ["id"] = $"evt_{_run}cus", ["object"] = "event", ["api_version"] = "2024-06-20", ["created"] = 1764669600, ["livemode"] = false,
            ["pending_webhooks"] = 1, ["request"] = new JsonObject { ["id"] = "req_1", ["idempotency_key"] = M() }, ["type"] = "customer.created",
            ["data"] = new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["id"] = $"cus_{_run}", ["object"] = "customer", ["created"] = 1764669600, ["currency"] = "eur", ["balance"] = 0, ["delinquent"] = false,
                    ["email"] = Email(), ["name"] = M(), ["phone"] = $"+44 20 7946 0958 {M()}", ["description"] = M(),
                    ["address"] = new JsonObject { ["line1"] = M(), ["city"] = M(), ["postal_code"] = M(), ["country"] = "PT" },
                    ["shipping"] = new JsonObject { ["name"] = M(), ["phone"] = M(), ["address"] = new JsonObject { ["line1"] = M() } },
                    ["metadata"] = new JsonObject { ["crm"] = M() },
                    ["x"] = Unknown(),
                },
            },
            ["x_root"] = Unknown(),
        }, null),
        ("stripe", new JsonObject
        {
            ["id"] = $"evt_{_run}inv", ["object"] = "event", ["created"] = 1764669660, ["type"] = "invoice.paid",
            ["data"] = new JsonObject
            {
                ["object"] = new JsonObject
                {
                    ["id"] = $"in_{_run}", ["object"] = "invoice", ["customer"] = $"cus_{_run}", ["subscription"] = $"sub_{_run}", ["status"] = "paid", ["paid"] = true,
                    ["currency"] = "usd", ["amount_due"] = 2000, ["amount_paid"] = 2000, ["amount_remaining"] = 0, ["total"] = 2000, ["subtotal"] = 2000,
                    ["customer_email"] = Email(), ["customer_name"] = M(), ["customer_phone"] = M(), ["customer_address"] = new JsonObject { ["line1"] = M() },
                    ["hosted_invoice_url"] = $"https://invoice.stripe.com/i/{M()}", ["lines"] = new JsonObject { ["data"] = new JsonArray(new JsonObject { ["description"] = M() }) },
                    ["x"] = Unknown(),
                },
                ["previous_attributes"] = new JsonObject { ["customer_name"] = M() },
            },
        }, null),
        // An event type Stripe has that the pipeline does not declare: the Event's own fields only.
        ("stripe", new JsonObject
        {
            ["id"] = $"evt_{_run}chg", ["object"] = "event", ["created"] = 1764669720, ["type"] = "charge.refunded",
            ["data"] = new JsonObject { ["object"] = new JsonObject { ["id"] = $"ch_{_run}", ["billing_details"] = new JsonObject { ["name"] = M(), ["email"] = Email() } } },
        }, null),
    ];

    private List<string> Found(string text) => _markers.Where(m => text.Contains(m, StringComparison.OrdinalIgnoreCase)).ToList();

    private async Task<string> AllTablesTextAsync()
    {
        var text = new StringBuilder();
        await foreach (var table in azurite.TableService.QueryAsync(cancellationToken: TestContext.Current.CancellationToken))
        {
            await foreach (var entity in azurite.TableService.GetTableClient(table.Name).QueryAsync<TableEntity>(cancellationToken: TestContext.Current.CancellationToken))
            {
                foreach (var (name, value) in entity)
                {
                    text.Append(name).Append('=').Append(value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Every message still in any queue (subscriptions, poison), bodies decoded and inflated.</summary>
    private async Task<string> AllQueuesTextAsync()
    {
        var text = new StringBuilder();
        await foreach (var queue in azurite.QueueService.GetQueuesAsync(cancellationToken: TestContext.Current.CancellationToken))
        {
            var client = azurite.QueueService.GetQueueClient(queue.Name);
            foreach (var message in (await client.PeekMessagesAsync(32, TestContext.Current.CancellationToken)).Value)
            {
                var raw = message.Body.ToString();
                text.Append(raw).Append('\n');
                if (LocalQueueEnvelope.TryParse(raw) is { } envelope)
                {
                    text.Append(EventSerializer.TryDeserialize(envelope.Body) is { } decoded ? decoded.Payload.GetRawText() : Encoding.UTF8.GetString(envelope.Body)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    private static async Task<HttpResponseMessage> SendAsync(TestHost host, string vendor, string tenant, string secret, byte[] body, string? eventType = null)
    {
        using var request = Signing.Json($"/api/webhooks/{vendor}/{tenant}", body);
        foreach (var (name, value) in WebhookVendors.Get(vendor).Sign(secret, body, DateTimeOffset.UtcNow, eventType))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<HttpResponseMessage> GetAsync(TestHost host, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<string> TextAsync(HttpResponseMessage response) =>
        response.Headers + "\n" + await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
}
