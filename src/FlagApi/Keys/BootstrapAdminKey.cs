using FlagApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace FlagApi.Keys;

public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    /// <summary>Becomes an admin key on start when no admin key exists (docs/product.md; env <c>Bootstrap__AdminKey</c>).</summary>
    public string? AdminKey { get; set; }
}

/// <summary>Runs after the schema is migrated and before keys load: gives a first deployment its admin key.</summary>
public sealed class BootstrapAdminKey(
    IServiceProvider services, IOptions<BootstrapOptions> options, DatabaseStartup startup, ILogger<BootstrapAdminKey> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => startup.StartOrDeferAsync("bootstrap admin key", AddIfNoAdminAsync, cancellationToken);

    private async Task AddIfNoAdminAsync(CancellationToken cancellationToken)
    {
        var secret = options.Value.AdminKey?.Trim();
        if (string.IsNullOrEmpty(secret))
        {
            return;
        }

        await using var scope = services.CreateAsyncScope();
        var keys = scope.ServiceProvider.GetRequiredService<KeyService>();
        if (await keys.AnyActiveAdminAsync(cancellationToken))
        {
            return;
        }

        try
        {
            await keys.AddAsync("bootstrap admin", Roles.Admin, null, null, secret, "bootstrap", cancellationToken);
        }
        catch (DbUpdateException ex) when (DatabaseFailures.IsUniqueViolation(ex))
        {
            // Instances started together over a new database all find no admin; the first insert wins, the others
            // hit the unique key hash and go on with the key it stored.
            if (!await AnotherInstanceAddedItAsync(cancellationToken))
            {
                throw;
            }

            return;
        }

        logger.LogInformation("Bootstrap:AdminKey became the admin key {Prefix}", ApiKeySecrets.Prefix(secret));
    }

    private async Task<bool> AnotherInstanceAddedItAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KeyService>().AnyActiveAdminAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
