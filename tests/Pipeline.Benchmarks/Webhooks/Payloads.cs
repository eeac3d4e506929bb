using System.Text;

namespace Pipeline.Benchmarks.Webhooks;

/// <summary>Realistic vendor bodies of a chosen size (padding goes where the vendor's free text goes).</summary>
internal static class Payloads
{
    public static byte[] MindTickleUserCreated(int size)
    {
        const string head = """
            {"event_id":"evt-0001","event_type":"user.created","occurred_at":"2026-11-22T10:00:00Z","data":{"user":{
            "schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
            "userName":"jane.doe@example.com","name":{"givenName":"Jane","familyName":"Doe","formatted":"Jane Doe"},
            "emails":[{"value":"jane.doe@example.com","type":"work","primary":true},{"value":"jane@example.org","type":"home"}],
            "title":"Senior Account Executive","active":true,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"E-104233","manager":{"value":"mgr-7781","displayName":"Max Mustermann"}},
            "externalId":"ext-104233"},"context":"
            """;
        const string tail = "\"}}";
        return Pad(head.ReplaceLineEndings(""), tail, size);
    }

    public static byte[] TwinMindTranscript(int size)
    {
        const string head = """
            {"id":"tm-0001","type":"transcript.completed","created_at":"2026-11-22T10:00:00Z","data":{"transcript_id":"tr-0001","consent":true,
            "meeting_id":"m-0001","language":"en","participants":[{"name":"Alice","email":"alice@example.com"},{"name":"Bob","email":"bob@example.com"}],
            "transcript":"
            """;
        const string tail = "\"}}";
        return Pad(head.ReplaceLineEndings(""), tail, size);
    }

    private static byte[] Pad(string head, string tail, int size)
    {
        const string words = "Alice: let us go over the quarterly numbers once more before the call. ";
        var text = new StringBuilder(head);
        while (text.Length + tail.Length < size)
        {
            text.Append(words, 0, Math.Min(words.Length, size - tail.Length - text.Length));
        }

        return Encoding.UTF8.GetBytes(text.Append(tail).ToString());
    }
}
