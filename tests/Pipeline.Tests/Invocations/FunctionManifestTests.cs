using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Host.Configuration;
using Pipeline.Host.Invocations;
using Pipeline.Tests.Infrastructure;

namespace Pipeline.Tests.Invocations;

/// <summary>function.json and handler must agree: the Functions host only forwards what a function.json declares.</summary>
public sealed class FunctionManifestTests(AzuriteFixture azurite)
{
    private static readonly IReadOnlyList<FunctionManifest> Manifests =
        FunctionManifest.Discover(Path.Combine(RepositoryRoot.Find(), "functions", "Pipeline.Host"));

    [Fact]
    public async Task EveryFunctionJson_ReachesAHandler_AndEveryHandlerHasAFunctionJson()
    {
        // As the Functions host starts it: only then are the invocation routes mapped.
        await using var host = await TestHost.StartAsync(azurite, FunctionsHostRequests.UnderHost());
        var endpoints = ((IEndpointRouteBuilder)host.App).DataSources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (Method: m, Route: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .ToHashSet();
        var declared = new HashSet<(string Method, string Route)>();

        foreach (var manifest in Manifests)
        {
            if (manifest.TriggerType == "httpTrigger")
            {
                Assert.NotEmpty(manifest.Methods);
                foreach (var method in manifest.Methods)
                {
                    var route = (method, $"/api/{manifest.Route}");
                    Assert.True(endpoints.Contains(route), $"{manifest.Name}: no handler for {method} /api/{manifest.Route}");
                    declared.Add(route);
                }
            }
            else
            {
                var route = ("POST", $"/{manifest.Name}");
                Assert.True(endpoints.Contains(route), $"{manifest.Name}: no invocation endpoint POST /{manifest.Name}");
                declared.Add(route);
            }
        }

        Assert.Empty(endpoints.Except(declared));
    }

    [Fact]
    public async Task EveryTriggerFunction_RegistersTheTriggerItsFunctionJsonDeclares_SoLocalModeRunsIt()
    {
        // Schedules of their own, so a registration that read another setting (or a default) would show.
        await using var host = await TestHost.StartAsync(azurite, new Dictionary<string, string?>
        {
            ["RetentionSchedule"] = "0 7 3 * * *",
            ["AuditVerifySchedule"] = "0 11 2 * * *",
        });
        var registrations = host.App.Services.GetServices<FunctionRegistration>().ToDictionary(r => r.Name);
        var triggered = Manifests.Where(m => m.TriggerType != "httpTrigger").ToList();
        Assert.Equal(triggered.Select(m => m.Name).Order(), registrations.Keys.Order());

        foreach (var manifest in triggered)
        {
            var registration = registrations[manifest.Name];
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifest.Path));
            var trigger = json.RootElement.GetProperty("bindings")[0];
            if (manifest.TriggerType == "serviceBusTrigger")
            {
                // Local mode's dispatcher pumps exactly this subscription's queue into the function.
                Assert.Equal(trigger.GetProperty("subscriptionName").GetString(), registration.Subscription);
                Assert.Null(registration.Schedule);
            }
            else
            {
                Assert.Equal("timerTrigger", manifest.TriggerType);
                Assert.Null(registration.Subscription);
                Assert.NotNull(registration.Schedule);
                // The same setting the function.json names, read through the options it binds to.
                var setting = trigger.GetProperty("schedule").GetString()!.Trim('%');
                Assert.Equal(host.App.Configuration[setting], registration.Schedule(host.App.Services));
            }
        }
    }

    [Fact]
    public void Manifests_DeclareTheFoundationFunctions_WithTheBindingsTheHandlerExpects()
    {
        var byName = Manifests.ToDictionary(m => m.Name);

        Assert.Equal("httpTrigger", byName["WebhookIngress"].TriggerType);
        Assert.Equal("webhooks/{vendor}/{tenant}", byName["WebhookIngress"].Route);
        Assert.Equal("serviceBusTrigger", byName["WriteAudit"].TriggerType);
        Assert.Equal("serviceBusTrigger", byName["EncryptTranscript"].TriggerType);

        // The host batches exactly the functions the handler (and Local mode's dispatcher) treats as batched.
        Assert.Equal("many", byName["WriteAudit"].Cardinality);
        Assert.True(Pipeline.Host.Audit.WriteAuditFunction.Create().ReceivesBatches);
        Assert.Equal("one", byName["EncryptTranscript"].Cardinality);
        Assert.Equal("timerTrigger", byName["RetentionPurge"].TriggerType);
        Assert.Equal("httpTrigger", byName["Health"].TriggerType);
        foreach (var serviceBus in Manifests.Where(m => m.TriggerType == "serviceBusTrigger"))
        {
            var text = File.ReadAllText(serviceBus.Path);
            Assert.Contains("\"dataType\": \"binary\"", text, StringComparison.Ordinal);
            Assert.Contains($"\"name\": \"{ReceivedMessage.BindingName}\"", text, StringComparison.Ordinal);
        }
    }
}
