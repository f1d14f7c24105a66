using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace FlagApi.Data;

/// <summary>
/// Writes rows through SQLite's own statement API on the connection's handle, inside the
/// transaction the connection already holds. Microsoft.Data.Sqlite binds every parameter by name
/// (a linear search in SQLite) and wraps each execution in a data reader; at four rows per list
/// entry that overhead was most of a million-row import. Here each statement is prepared once,
/// inserts <see cref="RowsPerStatement"/> rows with positional parameters, and text that repeats
/// from row to row (the time, the list's label, the wire names) is encoded to UTF-8 once.
/// </summary>
internal sealed class SqliteBulkRowWriter : BulkRowWriter
{
    private const int RowsPerStatement = 64;

    /// <summary>The text form Microsoft.Data.Sqlite and EF Core give a DateTime, so rows read back the same whichever wrote them.</summary>
    public const string TimestampFormat = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    private readonly sqlite3 db;
    private readonly Table entries;
    private readonly Table history;
    private readonly Table changes;
    private readonly Table sources;
    private readonly Statement update;
    private readonly Statement setStatus;
    private readonly Statement rekey;

    public SqliteBulkRowWriter(DbConnection connection)
    {
        db = ((SqliteConnection)connection).Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        entries = new Table(db, "entries", BulkColumns.Entries);
        history = new Table(db, "entry_history", BulkColumns.History);
        changes = new Table(db, "change_log", BulkColumns.Changes);
        sources = new Table(db, "entry_sources", BulkColumns.Sources);
        update = new Statement(db, "UPDATE entries SET category = ?, risk = ?, status = ?, last_seen = ?, expires_at = ?, version = ? WHERE id = ?", 7);
        setStatus = new Statement(db, "UPDATE entries SET status = ?, version = ? WHERE id = ?", 3);
        rekey = new Statement(db,
            "UPDATE entries SET value = ?, category = ?, risk = ?, status = ?, first_seen = ?, last_seen = ?, expires_at = ?, version = ? WHERE id = ?", 9);
    }

    public override int BatchRows => 4096;

    public override Task WriteAsync(BulkRowBatch batch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var at = batch.At;
        entries.Insert(batch.Entries, (ref Binder b, in EntryRow r) =>
        {
            b.Int(r.Id);
            b.Text(r.Kind);
            b.Text(r.Value);
            b.Text(r.Display);
            b.Text(r.Category);
            b.Text(r.Risk);
            b.Text(r.Status);
            b.Timestamp(at);
            b.Timestamp(at);
            b.Timestamp(r.ExpiresAt);
            b.Int(r.Version);
        });
        update.ExecuteEach(batch.Updates, (ref Binder b, in EntryUpdateRow r) =>
        {
            b.Text(r.Category);
            b.Text(r.Risk);
            b.Text(r.Status);
            b.Timestamp(at);
            b.Timestamp(r.ExpiresAt);
            b.Int(r.Version);
            b.Int(r.Id);
        });
        setStatus.ExecuteEach(batch.StatusChanges, (ref Binder b, in StatusRow r) =>
        {
            b.Text(r.Status);
            b.Int(r.Version);
            b.Int(r.Id);
        });
        rekey.ExecuteEach(batch.Rekeys, (ref Binder b, in EntryRekeyRow r) =>
        {
            b.Text(r.Value);
            b.Text(r.Category);
            b.Text(r.Risk);
            b.Text(r.Status);
            b.Timestamp(r.FirstSeen);
            b.Timestamp(r.LastSeen);
            b.Timestamp(r.ExpiresAt);
            b.Int(r.Version);
            b.Int(r.Id);
        });
        var actor = batch.Actor;
        history.Insert(batch.History, (ref Binder b, in HistoryRow r) =>
        {
            b.Int(r.EntryId);
            b.Int(r.Version);
            b.Timestamp(at);
            b.Text(actor);
            b.Text(r.Action);
            b.Text(r.Reason);
            b.Text(r.Before);
            b.Text(r.After);
        });
        changes.Insert(batch.Changes, (ref Binder b, in ChangeRow r) =>
        {
            b.Int(r.Version);
            b.Int(r.EntryId);
            b.Text(r.Op);
            b.Text(r.Kind);
            b.Text(r.Value);
            b.Text(r.Category);
            b.Text(r.Risk);
            b.Text(r.Status);
            b.Timestamp(at);
        });
        sources.Insert(batch.Sources, (ref Binder b, in SourceRow r) =>
        {
            b.Int(r.EntryId);
            b.Int(r.ListId);
            b.Text(r.SourceType);
            b.Text(r.Label);
            b.Text(r.Note);
            b.Text(r.Display);
            b.Text(r.Category);
            b.Text(r.Risk);
            b.Timestamp(r.ExpiresAt);
            b.Timestamp(at);
        });
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        entries.Dispose();
        history.Dispose();
        changes.Dispose();
        sources.Dispose();
        update.Dispose();
        setStatus.Dispose();
        rekey.Dispose();
        return ValueTask.CompletedTask;
    }

    private delegate void BindRow<T>(ref Binder binder, in T row);

    /// <summary>One table's inserts: a statement of <see cref="RowsPerStatement"/> rows for most, a single-row one for the rest.</summary>
    private sealed class Table(sqlite3 db, string name, string[] columns) : IDisposable
    {
        private readonly Statement many = new(db, InsertSql(name, columns, RowsPerStatement), columns.Length);
        private readonly Statement one = new(db, InsertSql(name, columns, 1), columns.Length);

        public void Insert<T>(List<T> rows, BindRow<T> bind)
        {
            var i = 0;
            for (; i + RowsPerStatement <= rows.Count; i += RowsPerStatement)
            {
                many.Execute(rows, i, RowsPerStatement, bind);
            }

            for (; i < rows.Count; i++)
            {
                one.Execute(rows, i, 1, bind);
            }
        }

        public void Dispose()
        {
            many.Dispose();
            one.Dispose();
        }

        private static string InsertSql(string table, string[] columns, int rows)
        {
            var row = "(" + string.Join(", ", columns.Select(_ => "?")) + ")";
            return $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES {string.Join(", ", Enumerable.Repeat(row, rows))}";
        }
    }

    /// <summary>A statement prepared when first used and reset after each execution, with the UTF-8 cache of its columns.</summary>
    private sealed class Statement(sqlite3 db, string sql, int columns) : IDisposable
    {
        private readonly ColumnCache[] cache = [.. Enumerable.Range(0, columns).Select(_ => new ColumnCache())];
        private sqlite3_stmt? statement;

        public void ExecuteEach<T>(List<T> rows, BindRow<T> bind)
        {
            for (var i = 0; i < rows.Count; i++)
            {
                Execute(rows, i, 1, bind);
            }
        }

        /// <summary>Binds <paramref name="count"/> rows from <paramref name="start"/> and runs the statement once.</summary>
        public void Execute<T>(List<T> rows, int start, int count, BindRow<T> bind)
        {
            statement ??= Prepare();
            var binder = new Binder(statement, cache);
            for (var r = start; r < start + count; r++)
            {
                bind(ref binder, rows[r]);
            }

            var rc = raw.sqlite3_step(statement);
            if (rc != raw.SQLITE_DONE)
            {
                var error = Error(rc);
                raw.sqlite3_reset(statement);
                throw error;
            }

            raw.sqlite3_reset(statement);
        }

        public void Dispose() => statement?.Dispose();

        private sqlite3_stmt Prepare()
        {
            var rc = raw.sqlite3_prepare_v2(db, sql, out var prepared);
            return rc == raw.SQLITE_OK ? prepared : throw Error(rc);
        }

        private SqliteException Error(int rc) => new(raw.sqlite3_errmsg(db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));
    }

    /// <summary>
    /// The UTF-8 of the last value bound to one column. Most columns repeat the same string object
    /// row after row (wire names, the label, the history JSON of a common state), so a reference
    /// check skips encoding them again.
    /// </summary>
    private sealed class ColumnCache
    {
        public object? Last;
        public DateTime LastTime;
        public byte[] Bytes = new byte[256];
        public int Length;
    }

    /// <summary>Binds one statement's parameters in order, row after row.</summary>
    private ref struct Binder(sqlite3_stmt statement, ColumnCache[] cache)
    {
        private int parameter;

        public void Int(long value)
        {
            parameter++;
            Check(raw.sqlite3_bind_int64(statement, parameter, value));
        }

        public void Int(long? value)
        {
            if (value is { } number)
            {
                Int(number);
                return;
            }

            parameter++;
            Check(raw.sqlite3_bind_null(statement, parameter));
        }

        public void Text(string? value)
        {
            var column = Column();
            if (value is null)
            {
                Check(raw.sqlite3_bind_null(statement, parameter));
                return;
            }

            if (!ReferenceEquals(column.Last, value))
            {
                var length = Encoding.UTF8.GetMaxByteCount(value.Length);
                if (column.Bytes.Length < length)
                {
                    column.Bytes = new byte[Math.Max(length, column.Bytes.Length * 2)];
                }

                column.Length = Encoding.UTF8.GetBytes(value, column.Bytes);
                column.Last = value;
            }

            Check(raw.sqlite3_bind_text(statement, parameter, column.Bytes.AsSpan(0, column.Length)));
        }

        public void Timestamp(DateTime? value)
        {
            var column = Column();
            if (value is not { } time)
            {
                Check(raw.sqlite3_bind_null(statement, parameter));
                return;
            }

            if (column.Last is null || column.LastTime != time)
            {
                time.TryFormat(column.Bytes, out column.Length, TimestampFormat, CultureInfo.InvariantCulture);
                column.LastTime = time;
                column.Last = column;
            }

            Check(raw.sqlite3_bind_text(statement, parameter, column.Bytes.AsSpan(0, column.Length)));
        }

        private ColumnCache Column() => cache[parameter++ % cache.Length];

        private static void Check(int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                throw new SqliteException($"Binding a parameter failed (SQLite error {rc}).", rc);
            }
        }
    }
}
