namespace FlagApi.Backups;

public static class BackupServiceExtensions
{
    /// <summary>The <c>backup</c> command; the service itself serves nothing for it.</summary>
    public static IHostApplicationBuilder AddBackups(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ICommand, BackupCommand>();
        return builder;
    }
}
