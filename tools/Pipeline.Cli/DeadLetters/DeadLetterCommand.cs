using System.CommandLine;
using Pipeline.Azure.DeadLetters;
using Pipeline.Cli.Local;
using Pipeline.Cli.Transcripts;
using Pipeline.Core.Privacy;
using Spectre.Console;
using Pipeline.Azure.Resilience;

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
            (operations, _) => DeadLetterViews.ListAsync(operations, result.GetValue(subscription), result.GetValue(json), AnsiConsole.Console, cancellationToken), cancellationToken));

        var show = new Command("show", "Show one dead letter with its payload redacted as the event's audit row would keep it.") { id, subscription };
        show.SetAction((result, cancellationToken) => WithStore(
            (operations, services) => DeadLetterViews.ShowAsync(operations, services.Get<TenantRedaction>(), result.GetValue(id)!, result.GetValue(subscription), AnsiConsole.Console, cancellationToken), cancellationToken));

        var replay = new Command("replay", "Send dead letters to the topic again with their original MessageId, then remove each one whose send succeeded.") { ids, all, subscription, dryRun };
        replay.SetAction((result, cancellationToken) => WithStore(
            (operations, _) => DeadLetterRuns.ReplayAsync(operations, DeadLetterSelection.Of(result.GetValue(ids), result.GetValue(all), null, result.GetValue(subscription)), result.GetValue(dryRun), CliTranscripts.Actor, AnsiConsole.Console, cancellationToken), cancellationToken));

        var purge = new Command("purge", "Delete dead letters for good.") { ids, all, olderThan, subscription, dryRun };
        purge.SetAction((result, cancellationToken) => WithStore(
            (operations, _) => DeadLetterRuns.PurgeAsync(operations, DeadLetterSelection.Of(result.GetValue(ids), result.GetValue(all), result.GetValue(olderThan), result.GetValue(subscription)), result.GetValue(dryRun), CliTranscripts.Actor, AnsiConsole.Console, cancellationToken), cancellationToken));

        return new Command("deadletter", "Dead letters (Azure: the subscriptions' dead-letter subqueues; Local: the poison queues): list, show, replay, purge.")
        {
            list, show, replay, purge,
        };
    }

    /// <summary>Opens the store the configuration names and runs <paramref name="action"/>; unreachable services are exit code 1.</summary>
    private static async Task<int> WithStore(Func<DeadLetterOperations, CliServices, Task<int>> action, CancellationToken cancellationToken)
    {
        if (!CliServices.TryBuild(CliTranscripts.Errors, out var services, CliDeadLetters.Register))
        {
            return BadArguments;
        }

        await using var _ = services;
        try
        {
            return await action(services.Get<DeadLetterOperations>(), services);
        }
        catch (InvalidOperationException e)
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]{e.Message}[/]");
            return BadArguments;
        }
        catch (Exception e) when (TransientFailure.Is(e, cancellationToken))
        {
            CliTranscripts.Errors.MarkupLineInterpolated($"[red]The dead letters could not be reached ({e.GetType().Name}). Is Azurite (`up`) running, or are you signed in to Azure with Service Bus Data Receiver (and Sender, to replay)?[/]");
            return NotAllDone;
        }
    }
}
