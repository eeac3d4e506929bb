using Pipeline.Core.Privacy;
using Pipeline.Host.Privacy;

namespace Pipeline.Tests.Privacy;

public sealed class LogRedactionTests
{
    [Fact]
    public void PseudonymLogRedactor_Redact_IsTheAuditPseudonym()
    {
        const string Key = "a-pseudonym-key-of-at-least-32-characters";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Pipeline:Audit:PseudonymKey"] = Key }).Build();
        var redactor = new PseudonymLogRedactor(configuration);

        Assert.Equal(Pseudonyms.Of(Key, "Jane.Doe@Example.com"), redactor.Redact("Jane.Doe@Example.com"));
        Assert.Equal(Pseudonyms.Of(Key, "Jane.Doe@Example.com"), redactor.Redact((object)"Jane.Doe@Example.com", null, null));
        Assert.Equal("", redactor.Redact(""));
    }
}
