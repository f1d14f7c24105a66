namespace FlagApi.Lists;

public static class ListsServiceExtensions
{
    public static IHostApplicationBuilder AddLists(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ListImporter>();
        builder.Services.AddScoped<ListQueries>();
        builder.Services.AddSingleton<ICommand, ImportCommand>();
        builder.Services.AddOptions<ListsOptions>().BindConfiguration(ListsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<Demo.DemoOptions>().BindConfiguration(Demo.DemoOptions.Section);
        builder.Services.AddHostedService<Data.DatabaseStartup>();
        return builder;
    }
}
