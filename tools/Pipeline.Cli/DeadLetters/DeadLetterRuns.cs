using Pipeline.Azure.DeadLetters;
using Spectre.Console;

namespace Pipeline.Cli.DeadLetters;

/// <summary>
/// <c>deadletter replay</c> and <c>purge</c>: find the selected dead letters, act on them with progress, and audit
/// what was done with the operator's name even when the run is cut short.
/// </summary>
internal static class DeadLetterRuns
{
    internal static async Task<int> ReplayAsync(DeadLetterOperations operations, DeadLetterSelection? selection, bool dryRun, string actor, IAnsiConsole console, CancellationToken cancellationToken) =>
        await RunAsync(DeadLetterAction.Replay, operations, selection, dryRun, actor, console, cancellationToken);

    internal static async Task<int> PurgeAsync(DeadLetterOperations operations, DeadLetterSelection? selection, bool dryRun, string actor, IAnsiConsole console, CancellationToken cancellationToken) =>
        await RunAsync(DeadLetterAction.Purge, operations, selection, dryRun, actor, console, cancellationToken);

    private static async Task<int> RunAsync(DeadLetterAction action, DeadLetterOperations operations, DeadLetterSelection? selection, bool dryRun, string actor, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (selection is null || (action == DeadLetterAction.Replay && selection.OlderThanDays is not null))
        {
            console.MarkupLine(action == DeadLetterAction.Replay
                ? "[red]Name the dead letters: one or more ids, or --all.[/]"
                : "[red]Name the dead letters: one or more ids, --all, or --older-than DAYS (one of the three; --older-than at least 0).[/]");
            return DeadLetterCommand.BadArguments;
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
                console.MarkupLineInterpolated($"Would {verb} {target.Subscription}/{target.Id} (tenant {target.Tenant ?? "-"}, enqueued {DeadLetterViews.Time(target.EnqueuedAt)} UTC).");
            }

            console.MarkupLineInterpolated($"Dry run: {targets.Count} dead letter(s) would be {(action == DeadLetterAction.Replay ? "replayed" : "purged")}; nothing was changed.");
            return missing.Count > 0 ? DeadLetterCommand.NotFound : 0;
        }

        if (targets.Count == 0)
        {
            console.MarkupLine("Nothing to do.");
            return missing.Count > 0 ? DeadLetterCommand.NotFound : 0;
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
        return run.Skipped + run.Failed > 0 ? DeadLetterCommand.NotAllDone : missing.Count > 0 ? DeadLetterCommand.NotFound : 0;
    }

    /// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class Reporter(Action<DeadLetterOutcome> report) : IProgress<DeadLetterOutcome>
    {
        public void Report(DeadLetterOutcome value) => report(value);
    }
}
