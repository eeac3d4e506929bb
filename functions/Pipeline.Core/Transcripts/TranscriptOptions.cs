namespace Pipeline.Core.Transcripts;

/// <summary>How transcripts are sealed.</summary>
public sealed class TranscriptOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:Transcripts";

    /// <summary>Compress before encrypting (Brotli); on by default, transcripts are text.</summary>
    public bool Compress { get; set; } = true;
}
