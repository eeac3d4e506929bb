using Pipeline.Azure.Transcripts;
using Pipeline.Azure.Keys;

namespace Pipeline.Cli.Keys;

/// <summary>Where a rewrap run got to.</summary>
/// <param name="Pages">Pages done.</param>
/// <param name="Examined">Headers looked at.</param>
/// <param name="Rewrapped">Data keys re-wrapped under the current key version.</param>
/// <param name="AlreadyCurrent">Headers already under it.</param>
/// <param name="ChangedMeanwhile">Headers deleted or re-wrapped by someone else during the run.</param>
/// <param name="Finished">True when every header was examined.</param>
/// <param name="ResumeToken">When stopped early: where to continue (<c>--resume</c>); null means from the start.</param>
internal sealed record RewrapTotals(int Pages, int Examined, int Rewrapped, int AlreadyCurrent, int ChangedMeanwhile, bool Finished, string? ResumeToken)
{
    public static readonly RewrapTotals None = new(0, 0, 0, 0, 0, false, null);

    public RewrapTotals Add(RewrapPage page) => new(
        Pages + 1, Examined + page.Examined, Rewrapped + page.Rewrapped, AlreadyCurrent + page.AlreadyCurrent, ChangedMeanwhile + page.ChangedMeanwhile, page.ContinuationToken is null, page.ContinuationToken);
}

/// <summary>
/// <c>keys rewrap</c>: page after page of <see cref="TranscriptKeyWrapping.RewrapPageAsync"/> until done or stopped.
/// Stopping (Ctrl+C) mid-page hands back the token the page started from: resuming there re-examines that page,
/// which is safe, as what was already re-wrapped counts as current and is left alone.
/// </summary>
internal static class KeyRewrapRun
{
    public static async Task<RewrapTotals> RunAsync(
        TranscriptKeyWrapping keyWrapping, TranscriptProtector protector, string? tenant, string? resumeToken, int pageSize, IProgress<RewrapTotals>? progress, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(keyWrapping);
        var totals = RewrapTotals.None with { ResumeToken = resumeToken };
        do
        {
            if (stopping.IsCancellationRequested)
            {
                return totals;
            }

            try
            {
                totals = totals.Add(await keyWrapping.RewrapPageAsync(protector, tenant, totals.ResumeToken, pageSize, stopping).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return totals;
            }

            progress?.Report(totals);
        }
        while (!totals.Finished);

        return totals;
    }
}
