using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Pipeline.Azure.DeadLetters;
using Pipeline.Cli.Local;
using Pipeline.Cli.Transcripts;
using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Core.Privacy;
using Pipeline.Host.Local;
using Spectre.Console;

namespace Pipeline.Cli.DeadLetters;

/// <summary>
/// <c>deadletter list|show|replay|purge</c>: what the subscriptions gave up on after ten deliveries, the same in
/// both modes (<see cref="IDeadLetterStore"/>). Nothing here prints a body: <c>list</c> shows metadata only,
/// <c>show</c> the redacted view an audit row of the event would keep. Replays and purges are audited with the
/// operator, counts and ids.
/// </summary>
internal static class DeadLetterCommand
{
    /// <summary>Some dead letters were skipped or failed, or the store could not be reached.</summary>
    public const int NotAllDone = 1;

    /// <summary>Bad arguments or configuration.</summary>
    public const int BadArguments = 2;

    /// <summary>No dead letter has that id.</summary>
    public const int NotFound = 3;

    public static Command Create()
    {
        var subscription = new Option<string?>("--subscription") { Description = "Only this subscription's dead letters: audit or transcripts." };
        subscription.AcceptOnlyFromAmong(TopicSubscriptions.All.ToArray());
        var json = new Option<bool>("--json") { Description = "One JSON document on standard output instead of a table." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be done; change nothing." };
        var all = new Option<bool>("--all") { Description = "Every dead letter (of --subscription, when given)." };
        var olderThan = new Option<int?>("--older-than") { Description = "Dead letters first enqueued more than this many days ago." };
        var id = new Argument<string>("id") { Description = "A dead letter's message id (the event id), as `list` shows it." };
        var ids = new Argument<string[]>("ids") { Description = "Message ids, as `list` shows them.", Arity = ArgumentArity.ZeroOrMore };

        var list = new Command("list", "List dead letters: id, subscription, enqueued time, deliveries, reason, tenant, vendor, event id (never the payload).") { subscription, json };
        list.SetAction((result, cancellationToken) => WithStore(
            (operations, _) => ListAsync(operations, result.GetValue(subscription), result.GetValue(json), AnsiConsole.Console, cancellationToken)));

        var show = new Command("show", "Show one dead letter with its payload redacted as the event's audit row would keep it.") { id, subscription };
        show.SetAction((result, cancellationToken) => WithStore(
            (operations, options) => ShowAsync(operations, new TenantRedaction(options), result.GetValue(id)!, result.GetValue(subscription), AnsiConsole.Console, cancellationToken)));

        var replay = new Command("replay", "Send dead letters to the topic again with their original MessageId, then remove each one whose send succeeded.") { ids, all, subscription, dryRun };
        replay.SetAction((result, cancellationToken) => WithStore(
            (operations, _) => ReplayAsync(operations, Selection.Of(result.GetValue(ids), result.GetValue(all), null, result.GetValue(subscription)), result.GetValue(dryRun), CliTranscripts.Actor, AnsiConsole.Console, cancellationToken)));

        var purge = new Command("purge", "Delete dead letters for good.") { ids, all, olderThan, subscription, dryRun };
        purge.SetAction((result, cancellationToken) => WithStore(
            (operations, _) => PurgeAsync(operations, Selection.Of(result.GetValue(ids), result.GetValue(all), result.GetValue(olderThan), result.GetValue(subscription)), result.GetValue(dryRun), CliTranscripts.Actor, AnsiConsole.Console, cancellationToken)));

        return new Command("deadletter", "Dead letters (Azure: the subscriptions' dead-letter subqueues; Local: the poison queues): list, show, replay, purge.")
        {
            list, show, replay, purge,
        };
    }

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
            return NotFound;
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

    internal static async Task<int> ReplayAsync(DeadLetterOperations operations, Selection? selection, bool dryRun, string actor, IAnsiConsole console, CancellationToken cancellationToken) =>
        await RunAsync(DeadLetterAction.Replay, operations, selection, dryRun, actor, console, cancellationToken);

    internal static async Task<int> PurgeAsync(DeadLetterOperations operations, Selection? selection, bool dryRun, string actor, IAnsiConsole console, CancellationToken cancellationToken) =>
        await RunAsync(DeadLetterAction.Purge, operations, selection, dryRun, actor, console, cancellationToken);

    private static async Task<int> RunAsync(DeadLetterAction action, DeadLetterOperations operations, Selection? selection, bool dryRun, string actor, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (selection is null || (action == DeadLetterAction.Replay && selection.OlderThanDays is not null))
        {
            console.MarkupLine(action == DeadLetterAction.Replay
                ? "[red]Name the dead letters: one or more ids, or --all.[/]"
                : "[red]Name the dead letters: one or more ids, --all, or --older-than DAYS (one of the three; --older-than at least 0).[/]");
            return BadArguments;
        }

        var cutoff = selection.OlderThanDays is { } days ? TimeProvider.System.GetUtcNow().AddDays(-days) : (DateTimeOffset?)null;
        var targets = await operations.FindAsync(selection.Subscription, d => selection.Matches(d, cutoff), cancellationToken);
        var missing = selection.Ids?.Where(i => !targets.Any(t => t.Id == i)).ToList() ?? [];
        foreach (var id in missing)
        {
            console.MarkupLineInterpolated($"[yellow]No dead letter with id {id}.[/]");
        }

        var verb = action == DeadLetterAction.Replay ? "replay" : "purge";
        if (dryRun)
        {
            foreach (var target in targets)
            {
                console.MarkupLineInterpolated($"Would {verb} {target.Subscription}/{target.Id} (tenant {target.Tenant ?? "-"}, enqueued {Time(target.EnqueuedAt)} UTC).");
            }

            console.MarkupLineInterpolated($"Dry run: {targets.Count} dead letter(s) would be {(action == DeadLetterAction.Replay ? "replayed" : "purged")}; nothing was changed.");
            return missing.Count > 0 ? NotFound : 0;
        }

        if (targets.Count == 0)
        {
            console.MarkupLine("Nothing to do.");
            return missing.Count > 0 ? NotFound : 0;
        }

        DeadLetterRun? run = null;
        var met = new List<DeadLetterOutcome>();
        try
        {
            run = await console.Progress().StartAsync(async context =>
            {
                var task = context.AddTask(action == DeadLetterAction.Replay ? "Replaying dead letters" : "Purging dead letters", maxValue: targets.Count);
                var progress = new Reporter(outcome =>
                {
                    met.Add(outcome);
                    task.Increment(1);
                });
                var result = action == DeadLetterAction.Replay
                    ? await operations.ReplayAsync(targets, progress, cancellationToken)
                    : await operations.PurgeAsync(targets, progress, cancellationToken);
                task.Value = task.MaxValue;
                return result;
            });
        }
        finally
        {
            // A run cut short (Ctrl+C, the broker gone) still leaves its rows for what it did; the store released the rest.
            await operations.AuditAsync(run ?? new DeadLetterRun(action, met, []), actor, cancellationToken: CancellationToken.None);
        }

        foreach (var outcome in run.Outcomes.Where(o => o.Result is DeadLetterResult.Skipped or DeadLetterResult.Failed))
        {
            console.MarkupLineInterpolated($"[yellow]{outcome.Result} {outcome.DeadLetter.Subscription}/{outcome.DeadLetter.Id}: {outcome.Detail}[/]");
        }

        foreach (var gone in run.Gone)
        {
            console.MarkupLineInterpolated($"[grey]{gone.Subscription}/{gone.Id} was already gone.[/]");
        }

        console.MarkupLineInterpolated(
            $"{(action == DeadLetterAction.Replay ? "Replayed" : "Purged")} {run.Done}, skipped {run.Skipped}, failed {run.Failed}, already gone {run.Gone.Count}. The {verb} is in the audit log as {actor}.");
        return run.Skipped + run.Failed > 0 ? NotAllDone : missing.Count > 0 ? NotFound : 0;
    }

    /// <summary>Opens the store the configuration names and runs <paramref name="action"/>; unreachable services are exit code 1.</summary>
    private static async Task<int> WithStore(Func<DeadLetterOperations, PipelineOptions, Task<int>> action)
    {
        var options = CliStorage.LoadOptions(CliSettings.Load(RepositoryRoot.Find()));
        if (string.IsNullOrEmpty(options.Audit.PseudonymKey))
        {
            CliTranscripts.Errors.MarkupLine("[red]Pipeline:Audit:PseudonymKey is not set; run `up` once to generate local.settings.json.[/]");
            return BadArguments;
        }

        try
        {
            await using var deadLetters = CliDeadLetters.Open(options, TimeProvider.System);
            return await action(deadLetters.Operations, options);
        }
        catch (InvalidOperationException e)
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return BadArguments;
        }
        catch (Exception e) when (e is RequestFailedException or AggregateException or AuthenticationFailedException or ServiceBusException or UnauthorizedAccessException)
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]The dead letters could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure with Service Bus Data Receiver (and Sender, to replay)?[/]");
            return NotAllDone;
        }
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

    private static Spectre.Console.Text Text(string? value) => new(value ?? "-");

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Which dead letters a replay or purge takes: ids, all, or (purge) older than some days; within a subscription or not.</summary>
    internal sealed record Selection(IReadOnlySet<string>? Ids, int? OlderThanDays, string? Subscription)
    {
        /// <summary>Exactly one of ids, --all and --older-than; null otherwise.</summary>
        public static Selection? Of(string[]? ids, bool all, int? olderThanDays, string? subscription)
        {
            var given = (ids is { Length: > 0 } ? 1 : 0) + (all ? 1 : 0) + (olderThanDays is not null ? 1 : 0);
            if (given != 1 || olderThanDays < 0)
            {
                return null;
            }

            return new Selection(ids is { Length: > 0 } ? ids.ToHashSet(StringComparer.Ordinal) : null, olderThanDays, subscription);
        }

        public bool Matches(DeadLetter deadLetter, DateTimeOffset? cutoff) =>
            (Ids is null || Ids.Contains(deadLetter.Id)) && (cutoff is null || deadLetter.EnqueuedAt < cutoff);
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Reporter(Action<DeadLetterOutcome> report) : IProgress<DeadLetterOutcome>
    {
        public void Report(DeadLetterOutcome value) => report(value);
    }
}
