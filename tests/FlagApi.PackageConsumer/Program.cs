using FlagApi.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// As a third party's app uses the package: registered from the "FlagApi" configuration section, here given on the
// command line (--FlagApi:BaseAddress=http://127.0.0.1:5080/ --FlagApi:ApiKey=<an app key>). Each step prints one line.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddFlagApiClient(builder.Configuration.GetSection("FlagApi"));
using var host = builder.Build();
var client = host.Services.GetRequiredService<FlagApiClient>();

var found = await client.LookupAsync("phone", "+86 138-0013-8000");
Console.WriteLine($"lookup: {found.Verdict} {found.Canonical} {string.Join(",", found.Matches.Select(m => m.Category))}");

var hidden = await client.LookupPrivatelyAsync("url", "http://a.evil.example/1/2.html");
Console.WriteLine($"private lookup: {(hidden.Flagged ? "flagged" : "clear")} {string.Join(",", hidden.Matches.Select(m => m.Expression))}");

// The copy built from the feed alone, change by change from version 0, then checked against the service's snapshot.
var copy = new LocalCopy(client);
var applied = await copy.SyncAsync();
var verified = await copy.VerifyAsync();
var offline = copy.Lookup("domain", "www.fake-police.example");
Console.WriteLine($"local copy: {applied} changes, version {copy.Version}, {copy.Count} entries, verified {verified}, offline {(offline.Flagged ? "flagged" : "clear")}");

try
{
    await client.LookupAsync("phone", "12");
    Console.WriteLine("refused: nothing");
}
catch (FlagApiException refused)
{
    Console.WriteLine($"refused: {(int?)refused.Status} {refused.Code}");
}
