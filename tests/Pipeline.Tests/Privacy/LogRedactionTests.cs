using Pipeline.Core.Audit;
using Pipeline.Core.Configuration;
using Pipeline.Host.Privacy;

namespace Pipeline.Tests.Privacy;

public sealed class LogRedactionTests
{
    [Fact]
    public void PseudonymLogRedactor_Redact_IsTheAuditPseudonym()
    {
        var options = new PipelineOptions { Audit = { PseudonymKey = "a-pseudonym-key-of-at-least-32-characters" } };
        var redactor = new PseudonymLogRedactor(options);

        Assert.Equal(Pseudonyms.Of(options.Audit.PseudonymKey, "Jane.Doe@Example.com"), redactor.Redact("Jane.Doe@Example.com"));
        Assert.Equal(Pseudonyms.Of(options.Audit.PseudonymKey, "Jane.Doe@Example.com"), redactor.Redact((object)"Jane.Doe@Example.com", null, null));
    }
}
