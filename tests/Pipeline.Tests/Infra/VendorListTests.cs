using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Pipeline.Core.Configuration;
using Pipeline.Core.Webhooks;
using Pipeline.Core.Webhooks.Vendors;
using Pipeline.Host.Configuration;

namespace Pipeline.Tests.Infra;

/// <summary>
/// Adding a vendor is its folder, its registry line, the Bicep vendor list, the local settings template
/// and a sample: the last three are checked against the registry here, so none is forgotten.
/// </summary>
public sealed partial class VendorListTests
{
    private static readonly string Root = RepositoryRoot.Find();
    private static readonly IEnumerable<string> RouteNames = WebhookVendors.All.Select(vendor => vendor.RouteName);

    [Fact]
    public void MainBicep_VendorNames_AreTheRegistry()
    {
        var match = BicepVendorNames().Match(File.ReadAllText(Path.Combine(Root, "infra", "main.bicep")));

        Assert.True(match.Success, "type vendorConfig names its vendors");
        Assert.Equal(RouteNames, match.Groups["names"].Value.Split('|').Select(name => name.Trim().Trim('\'')));
    }

    [Fact]
    public void LocalSettingsSample_AcmeAcceptsEveryVendor()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values");

        Assert.All(RouteNames, name => Assert.True(values.TryGetProperty($"Pipeline__Tenants__acme__Vendors__{name}__Secrets__0", out _), name));
    }

    [Fact]
    public void Samples_HoldOnePayloadPerVendorAtLeast()
    {
        var samples = Directory.GetFiles(Path.Combine(Root, "samples"), "*.json").Select(Path.GetFileName).ToList();

        Assert.All(RouteNames, name => Assert.Contains(samples, file => file!.StartsWith(name + "-", StringComparison.Ordinal)));
    }

    /// <summary>Each sample, signed as its vendor signs (GitHub's type from the file name, e.g. <c>github-push</c>), is accepted.</summary>
    [Fact]
    public void Samples_SignedByTheirVendor_AreAccepted()
    {
        var now = DateTimeOffset.UtcNow;
        var secrets = RouteNames.ToDictionary(name => name, Webhooks.VendorSignatures.NewSecret);
        var options = new PipelineOptions();
        options.Tenants["acme"] = new TenantOptions();
        foreach (var (name, secret) in secrets)
        {
            options.Tenants["acme"].Vendors[name] = new VendorOptions { Secrets = [secret], Scopes = [EventCatalogue.ScimWriteScope] };
        }

        var ingestor = new WebhookIngestor(options, new WebhookOptions(), WebhookVendors.All, new FakeTimeProvider(now));
        foreach (var path in Directory.GetFiles(Path.Combine(Root, "samples"), "*.json"))
        {
            var fileName = Path.GetFileNameWithoutExtension(path);
            var vendor = WebhookVendors.Get(fileName[..fileName.IndexOf('-', StringComparison.Ordinal)]);
            var body = File.ReadAllBytes(path);
            var headers = vendor.Sign(secrets[vendor.RouteName], body, now, eventType: fileName[(vendor.RouteName.Length + 1)..]);

            var result = ingestor.Ingest(ingestor.Resolve(vendor, "acme")!, name => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value, body);

            Assert.True(result.IsAccepted, $"{fileName}: {result.Rejection} {result.Field}");
        }
    }

    [GeneratedRegex(@"type vendorConfig = \{[^}]*?name: (?<names>'[a-z-]+'(?: \| '[a-z-]+')*)", RegexOptions.Singleline)]
    private static partial Regex BicepVendorNames();
}
