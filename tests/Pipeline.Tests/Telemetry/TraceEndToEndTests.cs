using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Azure.Audit;
using Pipeline.Core.Audit;
using Pipeline.Core.Telemetry;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Telemetry;

/// <summary>
/// One webhook is one trace (issue 11): real HTTP into the real handler in Local mode, the real Azurite
/// queues and dispatcher, spans exported to memory. The 202 names the trace; the audit rows carry it.
/// </summary>
public sealed class TraceEndToEndTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task SignedTranscriptWebhook_TelemetryOn_OneTraceOfIngressPublishAndBothConsumers_RowsCarryThe202TraceId()
    {
        var capture = new TelemetryCapture();
        var (tenant, secret, settings) = Tenant();
        await using var host = await TestHost.StartAsync(azurite, TelemetryCapture.With(settings), capture.AddTo);

        var (traceId, eventId) = await SendAsync(host, tenant, secret);

        var rows = await RowsOfAsync(tenant, eventId);
        var spans = await Eventually.GetAsync(
            () => Task.FromResult(capture.Spans().Where(s => s.TraceId.ToHexString() == traceId).ToList() is var inTrace
                && inTrace.Count(s => s.Source.Name == PipelineTelemetry.Name && s.Kind == ActivityKind.Consumer) == 2 ? inTrace : null),
            "both consumer spans in the webhook's trace");

        var ingress = Assert.Single(spans, s => s.Kind == ActivityKind.Server);
        Assert.Equal("/api/webhooks/{vendor}/{tenant}", ingress.GetTagItem("http.route"));
        Assert.Equal(202, ingress.GetTagItem("http.response.status_code"));
        var publish = Assert.Single(spans, s => s.Kind == ActivityKind.Producer);
        Assert.Equal(ingress.SpanId, publish.ParentSpanId);
        Assert.Equal(eventId, publish.GetTagItem(TelemetryAttributes.MessagingMessageId));
        Assert.Equal($"send {host.Topic}", publish.DisplayName);
        foreach (var function in new[] { "WriteAudit", "EncryptTranscript" })
        {
            var consumer = Assert.Single(spans, s => s.Kind == ActivityKind.Consumer && (string?)s.GetTagItem(TelemetryAttributes.Function) == function);
            Assert.Equal(publish.SpanId, consumer.ParentSpanId);
            Assert.Equal(ActivityStatusCode.Unset, consumer.Status);
        }

        Assert.Equal(
            [AuditActions.EventAccepted, AuditActions.TranscriptStored],
            rows.Select(r => r.GetString("Action")).Where(a => a is AuditActions.EventAccepted or AuditActions.TranscriptStored).Order(StringComparer.Ordinal).ToArray());
        Assert.All(rows, r => Assert.Equal(traceId, r.GetString("TraceId")));
        await AssertChainIntactAsync(tenant);

        var metrics = capture.MetricNames(host);
        Assert.Contains("pipeline.webhook.accepted", metrics);
        Assert.Contains("pipeline.webhook.duration", metrics);
        Assert.Contains("pipeline.event.duration", metrics);
    }

    [Fact]
    public async Task SignedTranscriptWebhook_TelemetryOff_RowsStillCarryThe202TraceId()
    {
        var (tenant, secret, settings) = Tenant();
        var probe = new ActivityProbe();
        await using var host = await TestHost.StartAsync(azurite, settings, services => services.AddSingleton<IStartupFilter>(probe));

        var (traceId, eventId) = await SendAsync(host, tenant, secret);

        // Nobody listens, so no request starts an activity: the ingress made the trace's ids itself.
        Assert.True(probe.Requests > 0);
        Assert.Equal(0, probe.RequestsWithActivity);

        var rows = await RowsOfAsync(tenant, eventId);
        Assert.True(rows.Count >= 2);
        Assert.All(rows, r => Assert.Equal(traceId, r.GetString("TraceId")));
        await AssertChainIntactAsync(tenant);
    }

    [Fact]
    public async Task SignedTranscriptWebhook_TraceSampledOut_NoSpansExported_RowsStillCarryThe202TraceId()
    {
        var capture = new TelemetryCapture();
        var (tenant, secret, settings) = Tenant();
        settings["Pipeline:Telemetry:SamplingRatio"] = "0";
        await using var host = await TestHost.StartAsync(azurite, TelemetryCapture.With(settings), capture.AddTo);

        var (traceId, eventId) = await SendAsync(host, tenant, secret);

        var rows = await RowsOfAsync(tenant, eventId);
        Assert.True(rows.Count >= 2);
        Assert.All(rows, r => Assert.Equal(traceId, r.GetString("TraceId")));
        Assert.Contains("pipeline.webhook.accepted", capture.MetricNames(host));
        Assert.DoesNotContain(capture.Spans(), s => s.TraceId.ToHexString() == traceId);
    }

    private static (string Tenant, string Secret, Dictionary<string, string?> Settings) Tenant()
    {
        var tenant = Secrets.NewTenant();
        var secret = Secrets.NewSecret();
        return (tenant, secret, new Dictionary<string, string?>
        {
            [$"Pipeline:Tenants:{tenant}:Vendors:twinmind:Secrets:0"] = secret,
            ["Pipeline:KeyVault:LocalKeyFile"] = Path.Combine(Directory.CreateTempSubdirectory("pipeline-trace-").FullName, "kek.json"),
        });
    }

    private static async Task<(string TraceId, string EventId)> SendAsync(TestHost host, string tenant, string secret)
    {
        var body = Encoding.UTF8.GetBytes(new JsonObject
        {
            ["id"] = $"tm-{Guid.NewGuid():N}", ["type"] = "transcript.completed", ["created_at"] = "2026-11-22T10:04:00Z",
            ["data"] = new JsonObject
            {
                ["transcript_id"] = $"tr-{Guid.NewGuid():N}"[..20], ["meeting_id"] = "m-1", ["language"] = "en", ["consent"] = true,
                ["participants"] = new JsonArray(new JsonObject { ["name"] = "Ann", ["email"] = "ann@example.com" }),
                ["transcript"] = "Ann: hello.",
            },
        }.ToJsonString());
        using var request = Signing.TwinMind(tenant, secret, body);
        using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        var traceId = accepted!["traceId"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{32}$", traceId);
        Assert.NotEqual(new string('0', 32), traceId);
        return (traceId, accepted["eventId"]!.GetValue<string>());
    }

    private async Task<List<global::Azure.Data.Tables.TableEntity>> RowsOfAsync(string tenant, string eventId) =>
        await Eventually.GetAsync(
            async () => (await AuditRows.ForTenantAsync(azurite, tenant)).Where(r => r.GetString("EventId") == eventId).ToList() is var rows
                && rows.Any(r => r.GetString("Action") == AuditActions.TranscriptStored) && rows.Any(r => r.GetString("Action") == AuditActions.EventAccepted) ? rows : null,
            "the event's audit rows");

    private async Task AssertChainIntactAsync(string tenant)
    {
        var now = DateTimeOffset.UtcNow;
        var report = await new AuditChainVerifier(azurite.TableService, AuditChain.DeriveKey(TestHost.PseudonymKey))
            .VerifyAsync(tenant, now.AddDays(-1), now.AddDays(1), cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(report.Break);
        Assert.True(report.Rows >= 2);
    }

    /// <summary>Counts the requests that reach the app's pipeline with an activity already started for them.</summary>
    private sealed class ActivityProbe : IStartupFilter
    {
        private int _requests;
        private int _withActivity;

        public int Requests => Volatile.Read(ref _requests);

        public int RequestsWithActivity => Volatile.Read(ref _withActivity);

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                Interlocked.Increment(ref _requests);
                if (Activity.Current is not null)
                {
                    Interlocked.Increment(ref _withActivity);
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
