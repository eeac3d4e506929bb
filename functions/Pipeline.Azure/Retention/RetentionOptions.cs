namespace Pipeline.Azure.Retention;

/// <summary>When the retention purge runs.</summary>
public sealed class RetentionOptions
{
    /// <summary>The configuration section it is bound from.</summary>
    public const string SectionName = "Pipeline:Retention";

    /// <summary>Six-field NCRONTAB expression, UTC.</summary>
    public string Schedule { get; set; } = "0 0 2 * * *";

    /// <summary>How long one run may work before it stops cleanly (under the function timeout); the next run finishes.</summary>
    public int BudgetSeconds { get; set; } = 480;

    /// <summary>Days a dead-lettered (Local mode: poison) message is kept, counted from when it was first enqueued.</summary>
    public int DeadLetterDays { get; set; } = 14;
}
