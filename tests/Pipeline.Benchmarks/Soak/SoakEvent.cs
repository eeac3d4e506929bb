using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Benchmarks.Soak;

/// <summary>One vendor event, signed afresh for each send (MindTickle and Standard timestamps).</summary>
internal sealed record SoakEvent(int Index, string Vendor, string Secret, byte[] Body, bool HasTranscript, string? TranscriptId, string Tenant)
{
    public static SoakEvent Create(int index, SoakHandler handler)
    {
        var (vendor, body, transcriptId) = (index % 10) switch
        {
            0 or 1 or 2 => ("mindtickle", $$$"""{"event_id":"mt-{{{index}}}","event_type":"course.completed","occurred_at":"2026-12-02T10:00:00Z","data":{"user_email":"learner{{{index % 97}}}@example.com","score":{{{index % 101}}}}}""", (string?)null),
            3 => ("mindtickle", $$$$"""{"event_id":"mt-{{{{index}}}}","event_type":"user.updated","data":{"user":{"userName":"user{{{{index % 50}}}}@example.com","name":{"givenName":"Ada","familyName":"L"},"active":true}}}""", null),
            4 or 5 or 6 => ("twinmind", $$$"""{"id":"tm-{{{index}}}","type":"transcript.completed","created_at":"2026-12-02T10:00:00Z","data":{"transcript_id":"tr-{{{index}}}","transcript":"Alice: shall we start? Bob: yes, item {{{index}}} first.","consent":true,"participants":[{"name":"Alice","email":"alice{{{index % 13}}}@example.com"},{"name":"Bob","email":"bob@example.com"}]}}""", $"tr-{index}"),
            _ => ("standard", $$$"""{"type":"invoice.paid","timestamp":"2026-12-02T10:00:00Z","data":{"n":{{{index}}}}}""", null),
        };
        return new SoakEvent(index, vendor, handler.Secrets[vendor], Encoding.UTF8.GetBytes(body), transcriptId is not null, transcriptId, handler.Tenant);
    }

    public HttpRequestMessage Request()
    {
        var content = new ByteArrayContent(Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/webhooks/{Vendor}/{Tenant}") { Content = content };
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        switch (Vendor)
        {
            case "mindtickle":
                request.Headers.Add("x-mindtickle-timestamp", timestamp);
                request.Headers.Add("x-mindtickle-signature", Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), (byte[])[.. Encoding.UTF8.GetBytes(timestamp + "."), .. Body])));
                break;
            case "twinmind":
                request.Headers.Add("x-twinmind-signature", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Body)));
                break;
            default:
                var id = $"msg_soak_{Index}";
                request.Headers.Add("webhook-id", id);
                request.Headers.Add("webhook-timestamp", timestamp);
                request.Headers.Add("webhook-signature", "v1," + Convert.ToBase64String(HMACSHA256.HashData(
                    Convert.FromBase64String(Secret["whsec_".Length..]), (byte[])[.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. Body])));
                break;
        }

        return request;
    }
}
