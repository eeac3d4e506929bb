using System.CommandLine;
using System.Net.Http.Headers;
using Pipeline.Cli.Local;
using Pipeline.Core.Webhooks.Vendors;
using Pipeline.Host.Configuration;
using Spectre.Console;

namespace Pipeline.Cli.Send;

/// <summary><c>send</c>: signs a JSON file with the tenant's configured secret, as the vendor would, and posts it.</summary>
internal static class SendCommand
{
    public static Command Create()
    {
        var vendor = new Option<string>("--vendor") { Description = WebhookVendors.RouteNames + ".", Required = true };
        var tenant = new Option<string>("--tenant") { Description = "Tenant id, as configured.", Required = true };
        var file = new Option<FileInfo>("--file") { Description = "The JSON body to send.", Required = true };
        var eventType = new Option<string?>("--event-type") { Description = "The event type, for vendors that send it as a header (github: e.g. push)." };
        // System.CommandLine has no Uri parser: take text and check it here.
        var url = new Option<string>("--url") { Description = "Base URL of the pipeline.", DefaultValueFactory = _ => "http://127.0.0.1:7071" };
        var command = new Command("send", "Sign a webhook body with the configured secret and post it.") { vendor, tenant, file, eventType, url };
        command.SetAction((result, cancellationToken) => SendAsync(
            result.GetValue(vendor)!, result.GetValue(tenant)!, result.GetValue(file)!, result.GetValue(eventType), result.GetValue(url)!, cancellationToken));
        return command;
    }

    private static async Task<int> SendAsync(string vendorName, string tenant, FileInfo file, string? eventType, string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]--url '{url}' is not an http(s) URL.[/]");
            return 2;
        }

        if (!WebhookVendors.TryParse(vendorName, out var vendor))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Unknown vendor '{vendorName}'; use one of {WebhookVendors.RouteNames}.[/]");
            return 2;
        }

        if (vendor.EventTypeHeader is { } typeHeader && string.IsNullOrWhiteSpace(eventType))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{vendor.DisplayName} sends the event type in {typeHeader}: give --event-type (e.g. push).[/]");
            return 2;
        }

        if (!file.Exists)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]No such file: {file.FullName}[/]");
            return 2;
        }

        var key = $"Pipeline:Tenants:{tenant}:Vendors:{vendor.RouteName}:Secrets:0";
        var secret = CliSettings.Load(RepositoryRoot.Find())[key];
        if (string.IsNullOrEmpty(secret))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]No secret configured at {key} (local.settings.json or environment).[/]");
            return 2;
        }

        var body = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, $"/api/webhooks/{vendor.RouteName}/{Uri.EscapeDataString(tenant)}"))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in vendor.Sign(secret, body, TimeProvider.System.GetUtcNow(), eventType))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var client = new HttpClient();
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Could not reach {baseUrl}: {e.Message}[/] Is `up` running?");
            return 1;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var colour = response.IsSuccessStatusCode ? "green" : "red";
            AnsiConsole.MarkupLineInterpolated($"[{colour}]{(int)response.StatusCode} {response.ReasonPhrase}[/]");
            Console.WriteLine(text);
            return response.IsSuccessStatusCode ? 0 : 1;
        }
    }
}
