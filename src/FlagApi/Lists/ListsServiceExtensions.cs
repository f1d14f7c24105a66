namespace FlagApi.Lists;

public static class ListsServiceExtensions
{
    public static IHostApplicationBuilder AddLists(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<ListApiLimits>();
        builder.Services.AddScoped<ListImporter>();
        builder.Services.AddScoped<ListWriter>();
        builder.Services.AddScoped<ListQueries>();
        builder.Services.AddSingleton<ICommand, ImportCommand>();
        builder.Services.AddOptions<ListsOptions>().BindConfiguration(ListsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
