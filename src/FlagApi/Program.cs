using FlagApi;
using FlagApi.Data;
using FlagApi.Health;
using FlagApi.Lists;
using FlagApi.Lookup;
using FlagApi.Problems;

var builder = WebApplication.CreateBuilder(ImportCommand.HostArguments(args));
builder.AddProblemHandling();
builder.AddFlagData();
builder.AddLists();
builder.AddLookup();
builder.AddApiDocs();

if (ImportCommand.IsInvoked(args))
{
    return await ImportCommand.RunAsync(builder.Build().Services, args, Console.Out, Console.Error);
}

var app = builder.Build();
app.UseProblemHandling();
app.MapApiDocs();
app.MapHealth();
app.MapLookup();
await app.RunAsync();
return 0;

/// <summary>The entry point, public so integration tests can host the app.</summary>
public partial class Program;
