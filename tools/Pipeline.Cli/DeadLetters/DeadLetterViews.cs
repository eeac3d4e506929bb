using System.Globalization;
using System.Text.Json;
using Pipeline.Azure.DeadLetters;
using Pipeline.Core.Audit;
using Pipeline.Core.Privacy;
using Spectre.Console;

namespace Pipeline.Cli.DeadLetters;

/// <summary><c>deadletter list</c> and <c>show</c>: metadata and the redacted view, never a body.</summary>
internal static class DeadLetterViews
{
    internal static async Task<int> ListAsync(DeadLetterOperations operations, string? subscription, bool json, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var found = await operations.FindAsync(subscription, _ => true, cancellationToken);
        if (json)
        {
            console.Profile.Out.Writer.WriteLine(ToJson(found));
            return 0;
        }

        var table = new Table()
            .AddColumn("Id").AddColumn("Subscription").AddColumn("Enqueued (UTC)").AddColumn(new TableColumn("Deliveries").RightAligned())
            .AddColumn("Reason").AddColumn("Description").AddColumn("Tenant").AddColumn("Vendor").AddColumn("Event id");
        foreach (var deadLetter in found)
        {
            table.AddRow(
                Text(deadLetter.Id), Text(deadLetter.Subscription), Text(Time(deadLetter.EnqueuedAt)), Text(Count(deadLetter.DeliveryCount)),
                Text(deadLetter.Reason), Text(deadLetter.Description), Text(deadLetter.Tenant), Text(deadLetter.Vendor), Text(deadLetter.EventId));
        }

        console.Write(table);
        console.MarkupLineInterpolated($"{found.Count} dead letter(s).");
        return 0;
    }

    internal static async Task<int> ShowAsync(DeadLetterOperations operations, TenantRedaction redaction, string id, string? subscription, IAnsiConsole console, CancellationToken cancellationToken)
    {
        var found = await operations.FindAsync(subscription, d => d.Id == id, cancellationToken);
        if (found.Count == 0)
        {
            console.MarkupLineInterpolated($"[red]No dead letter with id {id}.[/]");
            return DeadLetterCommand.NotFound;
        }

        foreach (var deadLetter in found)
        {
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow(Text("Id"), Text(deadLetter.Id));
            grid.AddRow(Text("Subscription"), Text(deadLetter.Subscription));
            grid.AddRow(Text("Enqueued (UTC)"), Text(Time(deadLetter.EnqueuedAt)));
            grid.AddRow(Text("Deliveries"), Text(Count(deadLetter.DeliveryCount)));
            grid.AddRow(Text("Reason"), Text(deadLetter.Reason));
            grid.AddRow(Text("Description"), Text(deadLetter.Description));
            grid.AddRow(Text("Correlation id"), Text(deadLetter.Message.CorrelationId));
            grid.AddRow(Text("Content type"), Text(deadLetter.Message.ContentType));
            grid.AddRow(Text("Body"), Text(Count(deadLetter.Message.Body.Length) + " bytes (not shown)"));
            grid.AddRow(Text("Tenant"), Text(deadLetter.Tenant));
            grid.AddRow(Text("Vendor"), Text(deadLetter.Vendor));
            grid.AddRow(Text("Event type"), Text(deadLetter.EventType));
            grid.AddRow(Text("Event id"), Text(deadLetter.EventId));
            console.Write(grid);
            if (deadLetter.Event is not { } pipelineEvent)
            {
                console.MarkupLine("[yellow]The body is not a pipeline event: nothing can consume it, and nothing of it is shown. Purge it.[/]");
                continue;
            }

            // Exactly what WriteAudit would keep of this event: the same classification, the same pseudonyms.
            foreach (var row in EventAudit.For(pipelineEvent, redaction.For(pipelineEvent.Tenant)))
            {
                console.MarkupLineInterpolated($"[grey]As the audit row {row.Action} keeps it:[/] subject {row.Subject ?? "-"}");
                foreach (var (name, value) in row.Details)
                {
                    console.Profile.Out.Writer.WriteLine($"  {name}: {value}");
                }
            }
        }

        return 0;
    }

    private static string ToJson(IReadOnlyList<DeadLetter> deadLetters)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartArray();
            foreach (var deadLetter in deadLetters)
            {
                writer.WriteStartObject();
                writer.WriteString("id", deadLetter.Id);
                writer.WriteString("subscription", deadLetter.Subscription);
                writer.WriteString("enqueuedTime", deadLetter.EnqueuedAt);
                writer.WriteNumber("deliveryCount", deadLetter.DeliveryCount);
                writer.WriteString("deadLetterReason", deadLetter.Reason);
                writer.WriteString("deadLetterErrorDescription", deadLetter.Description);
                writer.WriteString("tenant", deadLetter.Tenant);
                writer.WriteString("vendor", deadLetter.Vendor);
                writer.WriteString("eventType", deadLetter.EventType);
                writer.WriteString("eventId", deadLetter.EventId);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static Spectre.Console.Text Text(string? value) => new(value ?? "-");

    internal static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    internal static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);
}
