using System.Data.Common;
using System.Globalization;
using FlagApi.Data;

namespace FlagApi.Entries;

/// <summary>
/// The one row that numbers list versions. Every writer of entries reads it under its dialect's write lock at the
/// start of its transaction and moves it on before commit, so versions are committed in order.
/// </summary>
internal static class ListVersionRow
{
    public static async Task<long> LockAsync(DbConnection connection, DbTransaction transaction, SqlDialect dialect, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction, dialect.SelectListVersionForUpdate);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public static async Task SetAsync(DbConnection connection, DbTransaction transaction, long version, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(transaction, "UPDATE list_state SET version = @version WHERE id = 1");
        command.AddParameter("@version", version);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
