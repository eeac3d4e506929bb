using System.Xml;
using Azure;
using Azure.Core;

namespace Pipeline.Azure.ServiceBus;

/// <summary>
/// Reads Service Bus's REST error body, <c>&lt;Error&gt;&lt;Code&gt;410&lt;/Code&gt;&lt;Detail&gt;…&lt;/Detail&gt;&lt;/Error&gt;</c>,
/// into the <see cref="RequestFailedException"/>'s error code and message. The body is the broker's
/// answer, never the message that was sent.
/// </summary>
internal sealed class ServiceBusErrorParser : RequestFailedDetailsParser
{
    public static readonly ServiceBusErrorParser Instance = new();

    private const int MaxDetailLength = 512;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = 64 * 1024,
        IgnoreComments = true,
        IgnoreWhitespace = true,
    };

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        error = null;
        data = null;
        if (response.ContentStream is null)
        {
            return false;
        }

        var text = response.Content.ToString();
        if (!text.TrimStart().StartsWith('<'))
        {
            return false;
        }

        string? code = null;
        string? detail = null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), Settings);
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Code")
                {
                    code = reader.ReadElementContentAsString().Trim();
                }
                else if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Detail")
                {
                    detail = reader.ReadElementContentAsString().Trim();
                }
                else
                {
                    reader.Read();
                }
            }
        }
        catch (XmlException)
        {
            // Not the documented error shape (a proxy's page, a truncated body): the status alone is reported.
            return false;
        }

        if (code is null && detail is null)
        {
            return false;
        }

        if (detail is { Length: > MaxDetailLength })
        {
            detail = detail[..MaxDetailLength];
        }

        error = new ResponseError(code, detail ?? "Service Bus rejected the message.");
        return true;
    }
}
