using System.Linq.Expressions;
using FlagApi.Data;
using FlagApi.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace FlagApi.Tests.SqlServer;

/// <summary>
/// The side translation every in-process test runs (<see cref="SqlServerQueryCheck"/>): a query compiled on SQLite comes
/// out as SQL Server's T-SQL, and one that SQL Server's provider cannot translate, or whose T-SQL does not pass, is caught.
/// </summary>
public sealed class SqlServerQueryCheckTests
{
    [Fact]
    public async Task APagedFilteredQueryOnSqliteIsTranslatedIntoSqlServersTSql()
    {
        var query = await CompiledOnSqliteAsync(db => db.Appeals
            .Where(a => a.Status == AppealStatus.Submitted && a.Value.StartsWith("+86"))
            .OrderBy(a => a.DueBy).ThenBy(a => a.Id)
            .Skip(20).Take(10)
            .ToListAsync());

        var sql = SqlServerQueryCheck.Translate(query);

        Assert.Contains("FROM [appeals] AS [a]", sql, StringComparison.Ordinal);
        Assert.Contains("OFFSET @", sql, StringComparison.Ordinal);
        Assert.Contains("ROWS FETCH NEXT @", sql, StringComparison.Ordinal);
        Assert.Contains("LIKE", sql, StringComparison.Ordinal);
        Assert.Empty(TSqlCheck.Problems(sql));
        Assert.Null(SqlServerQueryCheck.Check(query));
    }

    [Fact]
    public async Task AGroupingWithAggregatesAndAnUpdateInTheDatabaseAreTranslatedToo()
    {
        var grouping = await CompiledOnSqliteAsync(db => db.Entries.GroupBy(e => e.Category).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        var since = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var update = await CompiledOnSqliteAsync(db => db.Notifications
            .Where(n => n.Status == "pending" && n.NextAttemptAt <= since)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.Attempts, n => n.Attempts + 1)));

        Assert.Contains("GROUP BY [e].[category]", SqlServerQueryCheck.Translate(grouping), StringComparison.Ordinal);
        var sql = SqlServerQueryCheck.Translate(update);
        Assert.StartsWith("UPDATE [n]", sql.TrimStart(), StringComparison.Ordinal);
        Assert.Null(SqlServerQueryCheck.Check(update));
    }

    [Fact]
    public async Task AComparisonOfAnIdentifierValueAlsoComparesItsHashSoSqlServerSeeksTheHashIndex()
    {
        var kind = FlagApi.Identifiers.IdentifierKind.Phone;
        var value = "+8613800138000";
        var query = await CompiledOnSqliteAsync(db => db.Appeals.Where(a => a.Kind == kind && a.Value == value).ToListAsync());
        var unhashed = await CompiledOnSqliteAsync(db => db.ChangeLog.Where(c => c.Value == value).ToListAsync());

        var sql = SqlServerQueryCheck.Translate(query);

        Assert.Contains("[a].[value] = @", sql, StringComparison.Ordinal);
        Assert.Contains("[a].[value_hash] = CONVERT(binary(32), HASHBYTES('SHA2_256', @", sql, StringComparison.Ordinal);
        Assert.Empty(TSqlCheck.Problems(sql));
        Assert.DoesNotContain("value_hash", SqlServerQueryCheck.Translate(unhashed), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AQueryOnlySqliteCanTranslateIsCaught()
    {
        var query = await CompiledOnSqliteAsync(db => db.Entries.Where(e => EF.Functions.Glob(e.Value, "+86*")).ToListAsync());

        var problem = SqlServerQueryCheck.Check(query);

        Assert.NotNull(problem);
        Assert.Contains("cannot translate", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheApplicationsQueriesAreTranslatedAsItRuns()
    {
        var before = SqlServerQueryCheck.Translated;
        await using var app = await FlagApiFactory.CreateAsync(new SqliteTarget());
        await app.PublishAsync(("phone", "13800138000", "impersonating_authorities", "high"));
        using var client = app.CreateClient();
        (await client.GetAsync("/v1/stats")).EnsureSuccessStatusCode();
        (await client.GetAsync("/v1/batches")).EnsureSuccessStatusCode();

        Assert.True(SqlServerQueryCheck.Translated > before || SqlServerQueryCheck.Translated > 10,
            $"No query of the application was translated for SQL Server ({SqlServerQueryCheck.Translated} in this process).");
    }

    /// <summary>Runs <paramref name="run"/> on a SQLite database and returns the query expression EF Core compiled for it.</summary>
    private static async Task<Expression> CompiledOnSqliteAsync(Func<FlagDbContext, Task> run)
    {
        var capture = new Capture();
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        var options = new DbContextOptionsBuilder<FlagDbContext>().UseSqlite(connection).AddInterceptors(capture).Options;
        await using var db = new FlagDbContext(options);
        try
        {
            await run(db);
        }
        catch (SqliteException)
        {
            // No schema in this database: compiling is all that is needed.
        }

        return capture.Expression ?? throw new InvalidOperationException("EF Core compiled no query.");
    }

    private sealed class Capture : IQueryExpressionInterceptor
    {
        public Expression? Expression { get; private set; }

        public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
        {
            Expression ??= queryExpression;
            return queryExpression;
        }
    }
}
