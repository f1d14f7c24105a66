using System.ComponentModel.DataAnnotations;

namespace FlagApi.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Configuration section <c>Database</c>; the connection string is <c>ConnectionStrings:FlagApi</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Where the SQLite file lives when no connection string is given; relative to the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Apply pending schema migrations when the service starts.</summary>
    public bool MigrateOnStart { get; set; } = true;
}
