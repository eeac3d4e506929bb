using Pipeline.Host;

// Started by the Azure Functions host as the custom handler (host.json customHandler).
var app = HandlerApp.Build(args);
await app.RunAsync();
