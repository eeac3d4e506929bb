namespace Pipeline.Core.Privacy;

/// <summary>Payment card numbers for <see cref="PiiPatterns"/>: a linear scan over digit runs, Luhn-checked.</summary>
internal static class CardNumbers
{
    /// <summary>
    /// Payment cards by one scan (a bounded regex over a long digit run matched, and was refused by
    /// Luhn, once per 19 digits, at a high cost per match): a run is digits with single spaces or
    /// dashes between them, not touching a letter, digit or <c>_</c>. From each group start the longest
    /// 13-19 digits ending at a group end are a candidate, as for the backtracking pattern; the window
    /// moves with two pointers and Luhn is read off prefix sums, so each digit costs O(1).
    /// </summary>
    // Optimised from the first call: the scanners are the hot loop of every audit row and log line.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static string Redact(string text, string marker)
    {
        System.Text.StringBuilder? result = null;
        var copied = 0;
        var run = new CardRun();
        var i = 0;
        while (i < text.Length)
        {
            var offset = text.AsSpan(i).IndexOfAnyInRange('0', '9');
            if (offset < 0)
            {
                break;
            }

            var start = i + offset;
            var end = run.Read(text, start);
            i = end;
            if ((start > 0 && PiiPatterns.IsWordChar(text[start - 1])) || (end < text.Length && PiiPatterns.IsWordChar(text[end])))
            {
                continue;
            }

            var last = -1;
            for (var first = 0; first < run.Groups; first++)
            {
                last = Math.Max(last, first - 1);
                while (last + 1 < run.Groups && run.DigitEnd[last + 1] - run.DigitStart[first] <= 19)
                {
                    last++;
                }

                if (last < first || run.DigitEnd[last] - run.DigitStart[first] < 13 || run.TextStart[first] < copied
                    || !run.IsLuhn(run.DigitStart[first], run.DigitEnd[last]))
                {
                    continue; // unlike the old pattern, a card right after a refused candidate is still found
                }

                result ??= new System.Text.StringBuilder(text.Length);
                result.Append(text, copied, run.TextStart[first] - copied).Append(marker);
                copied = run.TextEnd[last];
            }
        }

        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>One run of digit groups and the prefix sums that give any window's Luhn sum in O(1).</summary>
    private sealed class CardRun
    {
        public List<int> TextStart { get; } = [];

        public List<int> TextEnd { get; } = [];

        public List<int> DigitStart { get; } = [];

        public List<int> DigitEnd { get; } = [];

        // Sums[p][k]: digits 0..k-1, those whose index has parity p doubled (Luhn's doubling).
        private readonly List<int>[] _sums = [[0], [0]];

        public int Groups => TextStart.Count;

        /// <summary>Reads the run starting at <paramref name="start"/>; returns its end.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public int Read(string text, int start)
        {
            TextStart.Clear();
            TextEnd.Clear();
            DigitStart.Clear();
            DigitEnd.Clear();
            _sums[0].RemoveRange(1, _sums[0].Count - 1);
            _sums[1].RemoveRange(1, _sums[1].Count - 1);
            var end = start;
            var digits = 0;
            while (true)
            {
                TextStart.Add(end);
                DigitStart.Add(digits);
                for (; end < text.Length && char.IsAsciiDigit(text[end]); end++, digits++)
                {
                    var d = text[end] - '0';
                    var doubled = d * 2 > 9 ? d * 2 - 9 : d * 2;
                    _sums[0].Add(_sums[0][^1] + (digits % 2 == 0 ? doubled : d));
                    _sums[1].Add(_sums[1][^1] + (digits % 2 == 1 ? doubled : d));
                }

                TextEnd.Add(end);
                DigitEnd.Add(digits);
                if (end + 1 < text.Length && text[end] is ' ' or '-' && char.IsAsciiDigit(text[end + 1]))
                {
                    end++;
                    continue;
                }

                return end;
            }
        }

        /// <summary>Luhn over digits <paramref name="from"/> to <paramref name="to"/> (exclusive): the rightmost is not doubled.</summary>
        public bool IsLuhn(int from, int to)
        {
            var sums = _sums[to % 2];
            return (sums[to] - sums[from]) % 10 == 0;
        }
    }

    public static bool IsLuhn(ReadOnlySpan<char> candidate)
    {
        var (sum, count) = (0, 0);
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiDigit(candidate[i]))
            {
                continue;
            }

            var d = candidate[i] - '0';
            if (count++ % 2 == 1)
            {
                d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            }

            sum += d;
        }

        return count is >= 13 and <= 19 && sum % 10 == 0;
    }
}
