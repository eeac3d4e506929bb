using System.Globalization;

namespace Pipeline.Core.Reports;

/// <summary>
/// The whole UTC days a compliance report covers, first and last included. Whole days because the
/// audit chain is verified per day partition: a report that cut a day in half could not say whether
/// that day's chain is intact.
/// </summary>
public sealed record ReportPeriod(DateOnly First, DateOnly Last)
{
    /// <summary>The longest period one report covers: a year, leap day included.</summary>
    public const int MaxDays = 366;

    /// <summary>Start of the first day.</summary>
    public DateTimeOffset From => new(First.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>End of the last day (exclusive).</summary>
    public DateTimeOffset To => new(Last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>Days covered.</summary>
    public int DayCount => Last.DayNumber - First.DayNumber + 1;

    /// <summary>Every day of the period, in order.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<DateOnly> Days => Enumerable.Range(0, DayCount).Select(First.AddDays);

    /// <summary>
    /// Parses <c>yyyy-MM-dd</c> bounds, both included. Null, with <paramref name="error"/> saying what is wrong,
    /// for a missing or malformed date, a last day before the first, or more than <see cref="MaxDays"/> days.
    /// </summary>
    public static ReportPeriod? TryParse(string? from, string? to, out string? error)
    {
        if (!TryParseDay(from, out var first) || !TryParseDay(to, out var last))
        {
            error = "from and to are required dates (yyyy-MM-dd, UTC days, both included).";
            return null;
        }

        if (last < first)
        {
            error = "to must not be before from.";
            return null;
        }

        if (last.DayNumber - first.DayNumber + 1 > MaxDays)
        {
            error = $"A report covers at most {MaxDays} days.";
            return null;
        }

        error = null;
        return new ReportPeriod(first, last);
    }

    private static bool TryParseDay(string? text, out DateOnly day) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
}
