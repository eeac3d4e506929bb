using System.Text.Json;

namespace Pipeline.Host.Invocations;

/// <summary>The timer trigger's payload: <c>{"Data": {"timer": {"IsPastDue": ..., "ScheduleStatus": ...}}}</c>.</summary>
internal sealed record TimerInvocation(bool IsPastDue)
{
    /// <summary>The trigger's binding name in the timer function.json.</summary>
    public const string BindingName = "timer";

    /// <summary>Reads the timer info; a missing or odd payload is a plain on-schedule run.</summary>
    public static TimerInvocation Parse(JsonElement invocation)
    {
        if (!ReceivedMessage.TryGetProperty(invocation, "Data", out var data)
            || !ReceivedMessage.TryGetProperty(data, BindingName, out var timer))
        {
            return new TimerInvocation(false);
        }

        if (timer.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var document = JsonDocument.Parse(timer.GetString() ?? "");
                return FromObject(document.RootElement);
            }
            catch (JsonException)
            {
                return new TimerInvocation(false);
            }
        }

        return FromObject(timer);
    }

    private static TimerInvocation FromObject(JsonElement timer) =>
        new(ReceivedMessage.TryGetProperty(timer, "IsPastDue", out var pastDue) && pastDue.ValueKind == JsonValueKind.True);
}
