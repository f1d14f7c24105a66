using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FlagApi.Protection;

public static class ProtectionServiceExtensions
{
    /// <summary>Call after <c>AddLists</c>: the index loads in a hosted service that needs the schema the database startup brings up to date.</summary>
    public static IHostApplicationBuilder AddProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<ProtectionApiLimits>();
        builder.Services.AddOptions<ProtectionOptions>().BindConfiguration(ProtectionOptions.Section)
            .Validate(o => o.RefreshInterval > TimeSpan.Zero, "Protection:RefreshInterval must be positive.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ProtectionIndex>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ProtectionIndex>());
        builder.Services.AddSingleton<IChangeFollower>(sp => sp.GetRequiredService<ProtectionIndex>());
        builder.Services.AddScoped<ProtectionService>();
        return builder;
    }
}
