using System.CommandLine;
using Pipeline.Cli.Local;
using Pipeline.Cli.Publish;
using Pipeline.Cli.Retention;
using Pipeline.Cli.Send;

// The operator CLI (SPEC §7). Every command reads the same configuration as the handler.
var root = new RootCommand("Pipeline operator CLI: run the pipeline locally, send signed webhooks, mint local tokens, publish the function app.")
{
    UpCommand.Create(),
    TokenCommand.Create(),
    RetentionCommand.Create(),
    Pipeline.Cli.Audit.AuditCommand.Create(),
    SendCommand.Create(),
    PublishCommand.Create(),
    Pipeline.Cli.Transcripts.TranscriptsCommand.Create(),
    Pipeline.Cli.Keys.KeysCommand.Create(),
    Pipeline.Cli.Subjects.SubjectsCommand.Create(),
};

// Ctrl+C cancels the command's token; give `up` time to stop the handler and Azurite it started.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(15) });
