using Pipeline.Core.Transcripts;

namespace Pipeline.Azure.Transcripts;

/// <summary>The outcome of reading a transcript: not found, a failure with its reason, or the plaintext.</summary>
public sealed record TranscriptReadResult(bool Found, TranscriptOpenResult? Opened, TranscriptRecord? Record)
{
    public static readonly TranscriptReadResult NotFound = new(false, null, null);

    /// <summary>True when the transcript exists and opened.</summary>
    public bool Succeeded => Found && Opened is { Succeeded: true };
}

/// <summary>
/// The read path the Transcripts API uses: read the sealed rows, unwrap the data key (one Key Vault call),
/// open. An expired transcript reads as not found even before the purge has removed it.
/// </summary>
public sealed class TranscriptReader(TranscriptTableStore store, TranscriptProtector protector, TimeProvider timeProvider)
{
    public async Task<TranscriptReadResult> ReadAsync(string tenant, string transcriptId, CancellationToken cancellationToken = default)
    {
        if (await store.ReadAsync(tenant, transcriptId, cancellationToken).ConfigureAwait(false) is not { } stored
            || stored.Record.ExpiresAt <= timeProvider.GetUtcNow())
        {
            return TranscriptReadResult.NotFound;
        }

        var found = stored.Protected.Sealed.Chunks.Count;
        if (found != stored.ChunkCount)
        {
            var failure = found < stored.ChunkCount ? TranscriptOpenFailure.Truncated : TranscriptOpenFailure.Tampered;
            return new TranscriptReadResult(true, TranscriptOpenResult.Fail(failure, $"The header records {stored.ChunkCount} chunks; {found} were found."), stored.Record);
        }

        // The requested id, not the one the stored header names: a header copied under another id never opens.
        var opened = await protector.OpenAsync(new TranscriptContext(tenant, transcriptId), stored.Protected, cancellationToken).ConfigureAwait(false);
        return new TranscriptReadResult(true, opened, stored.Record);
    }
}
