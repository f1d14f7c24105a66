using FlagApi.Data;
using FlagApi.Entries;
using FlagApi.Lookup;
using Microsoft.Data.SqlClient;
using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.SqlServer;

/// <summary>
/// Every SQL text the service can send to SQL Server parses under Microsoft's T-SQL parser for SQL Server 2019 and 2022,
/// and calls only functions SQL Server has. The statements are found in the compiled assembly itself (every string literal
/// that begins like a statement), so a statement added anywhere is checked without being listed here; the few literals
/// that are not T-SQL must be listed below with the reason SQL Server never receives them, and a statement composed from
/// pieces is checked as composed, for SQL Server's dialect.
/// </summary>
public sealed class SqlServerStatementTests
{
    private static readonly SqlDialect Dialect = SqlDialect.For(DatabaseProvider.SqlServer);

    /// <summary>
    /// Each literal that is not T-SQL as it stands, and why SQL Server never receives it so: a whole statement of another
    /// provider (matched by its beginning), or a piece of a statement put together in code (matched exactly, so that a
    /// piece can never excuse a whole statement that merely begins the same way), checked as composed in <see cref="Composed"/>.
    /// </summary>
    private static readonly (string Text, bool Piece, string Reason)[] NotSentToSqlServer =
    [
        ("PRAGMA ", false, "SQLite's connection and bulk-write settings (DataServiceExtensions, SqlDialect's SQLite dialect)"),
        ("VACUUM INTO $path", false, "the backup command's copy of a SQLite database (BackupCommand; it refuses other providers)"),
        ("UPDATE entries SET category = ?", false, "SQLite's native bulk writer (SqliteBulkRowWriter)"),
        ("UPDATE entries SET status = ?", false, "SQLite's native bulk writer (SqliteBulkRowWriter)"),
        ("UPDATE entries SET value = ?", false, "SQLite's native bulk writer (SqliteBulkRowWriter)"),
        ("UPDATE entries AS e", false, "PostgreSQL's bulk writer, over unnest() of arrays (PostgresBulkRowWriter)"),
        ("SELECT pg_notify(", false, "PostgreSQL's change notices (ChangeNotices, only when the provider is Npgsql)"),
        ("SELECT pg_advisory_xact_lock(", false, "PostgreSQL's migration lock (SqlDialect's PostgreSQL dialect)"),
        ("SET TRANSACTION READ ONLY;", false, "the read replica's gate (ReadReplica.GateSql; the setting is refused on SQL Server)"),
        ("SELECT setval(pg_get_serial_sequence('", false, "PostgreSQL's identity after explicit ids (SqlDialect's PostgreSQL dialect)"),
        ("SELECT kind, value, category, risk FROM entries WHERE status = 'active' ORDER BY kind COLLATE \"C\"", false, "PostgreSQL's feed order (SqlDialect)"),
        ("CREATE TABLE IF NOT EXISTS schema_versions", false, "SQLite's and PostgreSQL's version table; SQL Server's is the dialect's CreateVersionTable"),
        ("SELECT ", true, "SqlDialect.Limit's test of a SELECT"),
        ("SELECT TOP (", true, "SQL Server's SqlDialect.Limit"),
        ("INSERT INTO ", true, "BatchInsert's multi-row INSERT, and SQL Server's InsertReturningIdUnlessConflict (PublishedIndexSnapshots.Statements)"),
        (" WITH (UPDLOCK, HOLDLOCK) WHERE ", true, "SQL Server's InsertReturningIdUnlessConflict (PublishedIndexSnapshots.Statements)"),
        ("DELETE FROM index_snapshot_chunks WHERE snapshot_id IN (SELECT id FROM index_snapshots WHERE ", true, "PublishedIndexSnapshots' removal"),
        ("DELETE FROM index_snapshots WHERE ", true, "PublishedIndexSnapshots' removal"),
        ("SELECT COUNT(*) FROM entries WHERE status IN ('", true, "ListIndexLoader.CountSql"),
        ("UPDATE ", true, "the re-keying's and the entry writer's per-table UPDATEs (IdentifierRekeyer.Statements, EntryRowWriter.MoveStatements)"),
        (" SET value = @value WHERE id = @id", true, "the re-keying's per-table UPDATEs (IdentifierRekeyer.Statements)"),
        (" SET value = @value, removed_at = @at, removed_by = @by WHERE id = @id", true, "the re-keying's per-table UPDATEs (IdentifierRekeyer.Statements)"),
        (" SET entry_id = @to WHERE entry_id = @from", true, "the entry writer's per-table UPDATEs (EntryRowWriter.MoveStatements)"),
        ("SELECT id, value, ", true, "the re-keying's per-table SELECT (IdentifierRekeyer.Statements)"),
        ("SELECT id, value, display, status, category, risk, expires_at, last_seen, first_seen FROM entries WHERE kind = @kind AND ", true,
            "StoredEntry.SelectSql"),
    ];

    public static TheoryData<string> Statements()
    {
        var data = new TheoryData<string>();
        foreach (var sql in SqlLiteralsOfTheBuild.All().Where(s => !IsListedAsNotTSql(s)).Concat(Composed()).Distinct())
        {
            data.Add(sql);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void ParsesAsTSqlAndCallsOnlySqlServerFunctions(string sql)
    {
        var problems = TSqlCheck.Problems(sql);
        Assert.True(problems.Count == 0, $"Not SQL Server's T-SQL:\n{sql}\n{string.Join("\n", problems)}");
    }

    [Fact]
    public void EveryLiteralListedAsNotTSqlIsStillInTheBuild()
    {
        var literals = SqlLiteralsOfTheBuild.All();
        foreach (var listed in NotSentToSqlServer)
        {
            var matching = literals.Where(l => Matches(listed, l)).ToList();
            Assert.True(matching.Count > 0, $"Nothing in the build is \"{listed.Text}\" ({listed.Reason}): remove it from the list.");
        }
    }

    [Fact]
    public void TheBuildHoldsStatementsAndTheCheckFindsOnesThatAreNotTSql()
    {
        Assert.True(SqlLiteralsOfTheBuild.All().Count > 50);
        Assert.NotEmpty(TransactSql.Errors("SELECT id FROM entries ORDER BY id LIMIT 1"));
        Assert.NotEmpty(TransactSql.Errors("INSERT INTO lists (agency) VALUES (@a) RETURNING id"));

        Assert.Contains("calls length, not a function of SQL Server", TSqlCheck.Problems("SELECT length(value) FROM entries"));
        Assert.Contains("uses true as a value: SQL Server has no boolean literal", TSqlCheck.Problems("SELECT id FROM entries WHERE done = true"));
    }

    [Fact]
    public void TheDialectWordsForSqlServerWhatTheOtherProvidersWordOtherwise()
    {
        Assert.Equal(DatabaseProvider.SqlServer, Dialect.Provider);
        Assert.Contains("WITH (UPDLOCK, HOLDLOCK)", Dialect.SelectListVersionForUpdate, StringComparison.Ordinal);
        Assert.StartsWith("SELECT TOP (7) id", Dialect.Limit("SELECT id FROM entries ORDER BY id", 7), StringComparison.Ordinal);
        Assert.Contains("OUTPUT INSERTED.id VALUES", Dialect.InsertReturningId("INSERT INTO lists (agency) VALUES (@agency)"), StringComparison.Ordinal);
        Assert.IsType<SqlServerBulkRowWriter>(Dialect.CreateBulkRowWriter(new SqlConnection(), null!), exactMatch: false);
        Assert.Equal(DatabaseProvider.SqlServer, SqlDialect.Of(new SqlConnection()).Provider);
    }

    /// <summary>The statements put together from pieces, as SQL Server's dialect puts them together.</summary>
    private static IEnumerable<string> Composed()
    {
        using var command = new SqlCommand();
        var valueList = Dialect.AddValueList(command, "value", ["a", "b"]);
        var otherList = Dialect.AddValueList(new SqlCommand(), "kind", ["phone"]);
        return
        [
            Dialect.SelectListVersionForUpdate,
            Dialect.LockActiveAdminKeys!,
            Dialect.CreateVersionTable,
            Dialect.SelectActiveEntriesInFeedOrder,
            Dialect.InsertReturningId("INSERT INTO lists (agency, reference) VALUES (@agency, @reference)"),
            StoredEntry.SelectSql(valueList),
            $"SELECT id FROM entries WHERE {otherList}",
            LedgerTransaction.DueForExpirySql(DatabaseProvider.SqlServer, 500),
            ListIndexLoader.CountSql,
            .. PublishedIndexSnapshots.Statements(Dialect),
            .. IdentifierRekeyer.Statements(),
            .. EntryRowWriter.MoveStatements,
        ];
    }

    private static bool IsListedAsNotTSql(string literal) => NotSentToSqlServer.Any(n => Matches(n, literal));

    private static bool Matches((string Text, bool Piece, string Reason) listed, string literal) =>
        listed.Piece ? literal == listed.Text : literal.StartsWith(listed.Text, StringComparison.Ordinal);
}
