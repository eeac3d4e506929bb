using System.Text.Json.Nodes;

namespace Pipeline.Tests.Infra;

/// <summary>
/// The alerts of issue 11 as the example parameters would deploy them: one action group with the
/// parameters' receivers, and one rule per docs/RUNBOOK.md "Alerts" section, each notifying that group,
/// watching the right resource and metric, and naming its runbook section.
/// </summary>
public sealed class InfraAlertTests(BicepFixture fixture) : IClassFixture<BicepFixture>
{
    private const string MetricAlerts = "Microsoft.Insights/metricAlerts";

    [Fact]
    public void ActionGroup_ExampleParameters_HasTheEmailReceiverWithCommonSchema()
    {
        var group = fixture.Example.Resource("Microsoft.Insights/actionGroups");

        var properties = group["properties"]!.AsObject();
        Assert.True(properties["enabled"]!.GetValue<bool>());
        var email = Assert.Single(properties["emailReceivers"]!.AsArray())!;
        Assert.Equal("oncall@example.com", (string?)email["emailAddress"]);
        Assert.True(email["useCommonAlertSchema"]!.GetValue<bool>());
        Assert.Empty(properties["webhookReceivers"]!.AsArray());
    }

    [Fact]
    public void Alerts_EveryRule_NotifiesTheActionGroupAndLinksItsRunbookSection()
    {
        var groupId = (string)fixture.Example.Resource("Microsoft.Insights/actionGroups")["id"]!;
        var runbook = File.ReadAllText(Path.Combine(fixture.InfraDirectory, "..", "docs", "RUNBOOK.md"));
        var rules = fixture.Example.OfType(MetricAlerts).Concat(fixture.Example.OfType("Microsoft.Insights/scheduledQueryRules")).ToList();

        Assert.Equal(
            ["alert-chain-verification-failure", "alert-dead-lettered-message", "alert-ingress-5xx", "alert-keyvault-throttling", "alert-rejected-webhook-spike"],
            rules.Select(r => (string)r["name"]!).Order(StringComparer.Ordinal));
        foreach (var rule in rules)
        {
            var properties = rule["properties"]!.AsObject();
            Assert.True(properties["enabled"]!.GetValue<bool>());
            var actions = properties["actions"]!;
            var notified = actions is JsonArray list ? list.Select(a => (string?)a!["actionGroupId"]) : actions["actionGroups"]!.AsArray().Select(a => (string?)a);
            Assert.Equal([groupId], notified);
            var anchor = ((string)properties["description"]!).Split("docs/RUNBOOK.md#")[1];
            Assert.Contains($"### {Heading(anchor)}", runbook, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void RejectedWebhookSpike_IsADynamicThresholdPerTenantOnTheHandlersMetric()
    {
        var criterion = Criterion("alert-rejected-webhook-spike", out var scope);

        Assert.Contains("/providers/Microsoft.Insights/components/", scope, StringComparison.Ordinal);
        Assert.Equal("DynamicThresholdCriterion", (string?)criterion["criterionType"]);
        Assert.Equal("pipeline.webhook.rejected", (string?)criterion["metricName"]);
        var dimension = Assert.Single(criterion["dimensions"]!.AsArray())!;
        Assert.Equal(("pipeline.tenant", "Include", "*"), ((string?)dimension["name"], (string?)dimension["operator"], (string?)dimension["values"]![0]));
        Assert.Equal("GreaterThan", (string?)criterion["operator"]);
    }

    [Theory]
    [InlineData("alert-dead-lettered-message", "Microsoft.ServiceBus/namespaces", "DeadletteredMessages")]
    [InlineData("alert-keyvault-throttling", "Microsoft.KeyVault/vaults", "ServiceApiResult")]
    [InlineData("alert-chain-verification-failure", "Microsoft.Insights/components", "pipeline.audit.chain.breaks")]
    public void StaticAlerts_FireOnTheFirstOccurrence(string name, string resourceType, string metric)
    {
        var criterion = Criterion(name, out var scope);

        Assert.Contains($"/providers/{resourceType}/", scope, StringComparison.Ordinal);
        Assert.Equal(("StaticThresholdCriterion", metric, "GreaterThan", 0), ((string?)criterion["criterionType"], (string?)criterion["metricName"], (string?)criterion["operator"], criterion["threshold"]!.GetValue<int>()));
        if (name == "alert-keyvault-throttling")
        {
            Assert.Equal("429", (string?)criterion["dimensions"]![0]!["values"]![0]);
        }
    }

    [Fact]
    public void Ingress5xx_QueriesWebhookRequestsAnswered5xx()
    {
        var rule = Assert.Single(fixture.Example.OfType("Microsoft.Insights/scheduledQueryRules"));
        var criterion = rule["properties"]!["criteria"]!["allOf"]![0]!;

        Assert.Contains("/providers/Microsoft.Insights/components/", (string)rule["properties"]!["scopes"]![0]!, StringComparison.Ordinal);
        Assert.Contains("WebhookIngress", (string)criterion["query"]!, StringComparison.Ordinal);
        Assert.Contains("toint(resultCode) >= 500", (string)criterion["query"]!, StringComparison.Ordinal);
        Assert.Equal(("Count", "GreaterThan", 0), ((string?)criterion["timeAggregation"], (string?)criterion["operator"], criterion["threshold"]!.GetValue<int>()));
    }

    private JsonNode Criterion(string name, out string scope)
    {
        var rule = Assert.Single(fixture.Example.OfType(MetricAlerts), r => (string?)r["name"] == name);
        scope = (string)rule["properties"]!["scopes"]![0]!;
        return Assert.Single(rule["properties"]!["criteria"]!["allOf"]!.AsArray())!;
    }

    /// <summary>The RUNBOOK heading a GitHub anchor was made from: "alert-key-vault-throttling" -> "Alert: Key Vault throttling".</summary>
    private static string Heading(string anchor) => anchor switch
    {
        "alert-rejected-webhook-spike" => "Alert: rejected-webhook spike",
        "alert-dead-lettered-message" => "Alert: dead-lettered message",
        "alert-chain-verification-failure" => "Alert: chain verification failure",
        "alert-key-vault-throttling" => "Alert: Key Vault throttling",
        "alert-ingress-5xx" => "Alert: ingress 5xx",
        _ => throw new ArgumentOutOfRangeException(nameof(anchor), anchor, "not a runbook alert anchor"),
    };
}
