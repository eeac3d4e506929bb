namespace Pipeline.Core.Transcripts;

/// <summary>
/// What a sealed transcript is bound to. Both values enter every chunk's associated data, so a chunk
/// sealed for one tenant or transcript never opens as part of another.
/// </summary>
/// <param name="Tenant">The tenant the transcript belongs to.</param>
/// <param name="TranscriptId">The transcript's id within the tenant.</param>
public sealed record TranscriptContext(string Tenant, string TranscriptId);
