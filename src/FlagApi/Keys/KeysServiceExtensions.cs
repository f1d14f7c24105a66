using Microsoft.AspNetCore.Authentication;

namespace FlagApi.Keys;

public static class KeysServiceExtensions
{
    public static IHostApplicationBuilder AddKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddApiDeclaration<KeyApiLimits>();
        builder.Services.AddOptions<KeysOptions>().BindConfiguration(KeysOptions.Section)
            .Validate(o => o.RefreshInterval > TimeSpan.Zero, "Keys:RefreshInterval must be positive.")
            .Validate(o => o.UnknownKeyReadInterval >= TimeSpan.Zero && o.UnknownKeyReadInterval <= TimeSpan.FromMinutes(1), "Keys:UnknownKeyReadInterval must be between 0 and 1 minute.")
            .ValidateOnStart();
        builder.Services.AddOptions<BootstrapOptions>().BindConfiguration(BootstrapOptions.Section)
            .Validate(
                o => string.IsNullOrWhiteSpace(o.AdminKey) || o.AdminKey.Trim().Length >= ApiKeySecrets.MinimumConfiguredLength,
                $"Bootstrap:AdminKey must be at least {ApiKeySecrets.MinimumConfiguredLength} characters: it becomes an admin key.")
            .ValidateOnStart();
        builder.Services.AddScoped<KeyService>();
        builder.Services.AddSingleton<ICommand, KeysCommand>();

        // Registered after the database startup: the bootstrap key needs the schema, and the store reads the keys it wrote.
        builder.Services.AddHostedService<BootstrapAdminKey>();
        builder.Services.AddSingleton<KeyStore>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<KeyStore>());
        builder.Services.AddSingleton<IChangeFollower>(sp => sp.GetRequiredService<KeyStore>());

        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.App, p => p.RequireRole(Roles.App, Roles.Admin))
            .AddPolicy(Policies.Publisher, p => p.RequireRole(Roles.Publisher))
            .AddPolicy(Policies.PublisherOrAdmin, p => p.RequireRole(Roles.Publisher, Roles.Admin))
            .AddPolicy(Policies.Reviewer, p => p.RequireRole(Roles.Reviewer, Roles.Admin))
            .AddPolicy(Policies.ReviewerOrPublisher, p => p.RequireRole(Roles.Reviewer, Roles.Admin, Roles.Publisher))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
        return builder;
    }

    /// <summary>
    /// Authentication with the 401 for a bad key on any endpoint, then authorization; after routing so endpoint metadata
    /// is known.
    /// </summary>
    public static IApplicationBuilder UseKeys(this IApplicationBuilder app)
    {
        app.UseMiddleware<ApiKeyMiddleware>();

        // ApiKeyMiddleware stands in for ASP.NET Core's authentication middleware: this is the mark UseAuthentication
        // leaves, without which WebApplication adds that middleware again at the front of the pipeline.
        app.Properties["__AuthenticationMiddlewareSet"] = true;
        app.UseAuthorization();
        return app;
    }
}
