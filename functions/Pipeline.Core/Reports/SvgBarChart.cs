using System.Globalization;
using System.Net;
using System.Text;

namespace Pipeline.Core.Reports;

/// <summary>
/// Draws a stacked bar chart per day as inline SVG: no script, no font or image from elsewhere, so the
/// report stays one self-contained file that prints as it shows. The feed's .NET chart libraries either
/// draw through SkiaSharp to bitmaps (native assets the Functions plan would have to carry) or are far
/// larger than the one chart shape this report needs. Colours are the Okabe–Ito palette, told apart
/// with colour-blindness; every segment has a title, so a reader can hover for the exact count.
/// </summary>
public static class SvgBarChart
{
    private const int Width = 760;
    private const int PlotLeft = 56;
    private const int PlotTop = 12;
    private const int PlotWidth = Width - PlotLeft - 12;
    private const int PlotHeight = 180;
    private const int LegendRowHeight = 18;

    /// <summary>Okabe–Ito, without black (the axes) and with the yellow last (weakest on white).</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#999999"];

    /// <summary>The chart of <paramref name="days"/> (every day of the period, empty ones included), titled by <paramref name="label"/>.</summary>
    public static string Render(string label, IReadOnlyList<DayCounts> days)
    {
        ArgumentNullException.ThrowIfNull(days);
        var series = days.SelectMany(d => d.Counts.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var ceiling = 4 * TickStep(days.Count == 0 ? 0 : days.Max(d => d.Total));
        var legendRows = (series.Count + 2) / 3;
        var height = PlotTop + PlotHeight + 28 + legendRows * LegendRowHeight + 4;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"{Encode(label)}\">"));
        svg.Append(Invariant($"<title>{Encode(label)}</title>"));
        AppendAxis(svg, ceiling);
        var slot = days.Count == 0 ? PlotWidth : (double)PlotWidth / days.Count;
        var barWidth = Math.Clamp(slot * 0.7, 1, 48);
        var labelEvery = Math.Max(1, (int)Math.Ceiling(days.Count / 12.0));
        for (var i = 0; i < days.Count; i++)
        {
            var x = PlotLeft + i * slot + (slot - barWidth) / 2;
            var y = (double)(PlotTop + PlotHeight);
            foreach (var (name, index) in series.Select((s, index) => (s, index)))
            {
                var count = days[i].Counts.GetValueOrDefault(name);
                if (count == 0)
                {
                    continue;
                }

                var h = ceiling == 0 ? 0 : PlotHeight * (double)count / ceiling;
                y -= h;
                svg.Append(Invariant($"<rect class=\"bar\" x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barWidth:0.#}\" height=\"{h:0.#}\" fill=\"{Colour(index)}\">"));
                svg.Append(Invariant($"<title>{days[i].Day:yyyy-MM-dd} {Encode(name)}: {count}</title></rect>"));
            }

            if (i % labelEvery == 0)
            {
                svg.Append(Invariant($"<text x=\"{x + barWidth / 2:0.#}\" y=\"{PlotTop + PlotHeight + 14}\" text-anchor=\"middle\" class=\"tick\">{days[i].Day:MM-dd}</text>"));
            }
        }

        for (var i = 0; i < series.Count; i++)
        {
            var lx = PlotLeft + (i % 3) * (PlotWidth / 3);
            var ly = PlotTop + PlotHeight + 28 + (i / 3) * LegendRowHeight;
            svg.Append(Invariant($"<rect x=\"{lx}\" y=\"{ly}\" width=\"12\" height=\"12\" fill=\"{Colour(i)}\"/>"));
            svg.Append(Invariant($"<text x=\"{lx + 16}\" y=\"{ly + 10}\" class=\"legend\">{Encode(Shorten(series[i]))}</text>"));
        }

        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>
    /// The gridline step for a tallest bar of <paramref name="max"/>: the smallest whole 1, 2 or 5 × 10ⁿ that
    /// four steps reach, so the axis reads in round whole numbers (0 when there is nothing to draw).
    /// </summary>
    public static long TickStep(long max)
    {
        if (max <= 0)
        {
            return 0;
        }

        for (var magnitude = 1L; ; magnitude *= 10)
        {
            foreach (var step in (ReadOnlySpan<long>)[1, 2, 5])
            {
                if (4 * step * magnitude >= max)
                {
                    return step * magnitude;
                }
            }
        }
    }

    private static void AppendAxis(StringBuilder svg, long ceiling)
    {
        for (var i = 0; i <= 4; i++)
        {
            var y = PlotTop + PlotHeight - PlotHeight * i / 4.0;
            var value = ceiling / 4 * i;
            svg.Append(Invariant($"<line x1=\"{PlotLeft}\" y1=\"{y:0.#}\" x2=\"{PlotLeft + PlotWidth}\" y2=\"{y:0.#}\" class=\"grid\"/>"));
            svg.Append(Invariant($"<text x=\"{PlotLeft - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" class=\"tick\">{value:#,0}</text>"));
        }
    }

    private static string Colour(int index) => Palette[index % Palette.Count];

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..39] + "…";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
