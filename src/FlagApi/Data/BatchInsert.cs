using System.Data.Common;
using System.Globalization;
using System.Text;

namespace FlagApi.Data;

/// <summary>
/// Buffers rows for one table and writes them as multi-row <c>INSERT … VALUES (…), (…)</c>
/// statements: a million-row list becomes tens of thousands of statements instead of millions of
/// round trips. Plain SQL that every provider accepts.
/// </summary>
internal sealed class BatchInsert : IAsyncDisposable
{
    private readonly DbConnection connection;
    private readonly DbTransaction transaction;
    private readonly string table;
    private readonly string[] columns;
    private readonly int rowsPerStatement;
    private readonly Func<CancellationToken, Task>? beforeFlush;
    private readonly List<object?[]> pending;
    private DbCommand? full;

    public BatchInsert(
        DbConnection connection, DbTransaction transaction, int parametersPerStatement, string table, string[] columns, Func<CancellationToken, Task>? beforeFlush = null)
    {
        this.connection = connection;
        this.transaction = transaction;
        this.table = table;
        this.columns = columns;
        this.beforeFlush = beforeFlush;

        rowsPerStatement = Math.Max(1, parametersPerStatement / columns.Length);
        pending = new List<object?[]>(rowsPerStatement);
    }

    public async ValueTask AddAsync(object?[] row, CancellationToken cancellationToken)
    {
        pending.Add(row);
        if (pending.Count == rowsPerStatement)
        {
            await FlushAsync(cancellationToken);
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }

        if (beforeFlush is not null)
        {
            await beforeFlush(cancellationToken);
        }

        if (pending.Count == rowsPerStatement)
        {
            full ??= Create(rowsPerStatement);
            await ExecuteAsync(full, cancellationToken);
        }
        else
        {
            await using var partial = Create(pending.Count);
            await ExecuteAsync(partial, cancellationToken);
        }

        pending.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (full is not null)
        {
            await full.DisposeAsync();
        }
    }

    private async Task ExecuteAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var parameters = command.Parameters;
        var index = 0;
        foreach (var row in pending)
        {
            foreach (var value in row)
            {
                parameters[index++].Value = value ?? DBNull.Value;
            }
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private DbCommand Create(int rows)
    {
        var sql = new StringBuilder("INSERT INTO ").Append(table).Append(" (").AppendJoin(", ", columns).Append(") VALUES ");
        var command = connection.CreateCommand(transaction, string.Empty);
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns.Length; c++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"@p{r}_{c}");
                sql.Append(c == 0 ? string.Empty : ", ").Append(name);
                command.AddParameter(name, DBNull.Value);
            }

            sql.Append(')');
        }

        command.CommandText = sql.ToString();
        return command;
    }
}
