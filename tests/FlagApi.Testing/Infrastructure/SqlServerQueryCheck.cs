#pragma warning disable EF1001 // IDatabase.CompileQuery and QueryContext are EF Core's own query pipeline, used here as EF uses them.
using System.Collections;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Linq.Expressions;
using System.Reflection;
using FlagApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// Every query the application compiles while a test runs it (on SQLite) is compiled again by EF Core's SQL Server
/// provider, over the same model, and the T-SQL it would send is checked by Microsoft's T-SQL parser
/// (<see cref="TSqlCheck"/>). No SQL Server is reached: the side context's connection is never opened, and the command is
/// caught as it would go out. So the queries checked are the service's own, as its tests exercise them, and a new
/// query is checked by the first test that runs it. Each distinct query is translated once per test process, and a problem
/// is handed to the first application that stops after it (<see cref="TakeProblems"/>), which fails its test. One instance
/// serves every application: an interceptor of its own would give each application an EF Core service provider of its own.
/// </summary>
public sealed class SqlServerQueryCheck : IQueryExpressionInterceptor
{
    public static readonly SqlServerQueryCheck Instance = new();

    private static readonly ConcurrentDictionary<string, string?> Checked = new();

    private static readonly ConcurrentQueue<string> Found = new();

    private static readonly DbContextOptions<FlagDbContext> SideOptions = new DbContextOptionsBuilder<FlagDbContext>()
        .UseSqlServer("Server=127.0.0.1,1;Database=flagapi;Encrypt=false")
        .AddInterceptors(new CaughtCommands())
        .Options;

    private SqlServerQueryCheck()
    {
    }

    /// <summary>How many distinct queries this process has translated for SQL Server.</summary>
    public static int Translated => Checked.Count;

    /// <summary>The queries found since the last call that SQL Server's provider could not translate, or whose T-SQL does not pass.</summary>
    public static IReadOnlyList<string> TakeProblems()
    {
        var problems = new List<string>();
        while (Found.TryDequeue(out var problem))
        {
            problems.Add(problem);
        }

        return problems;
    }

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
    {
        var printed = eventData.ExpressionPrinter.PrintExpression(queryExpression);
        var added = false;
        var problem = Checked.GetOrAdd(printed, _ =>
        {
            added = true;
            return Check(queryExpression);
        });
        if (added && problem is not null)
        {
            Found.Enqueue($"{problem}\nThe query: {printed}");
        }

        return queryExpression;
    }

    /// <summary>The problem with the query's T-SQL, or null when SQL Server's provider translates it into T-SQL that passes.</summary>
    public static string? Check(Expression query)
    {
        try
        {
            var sql = Translate(query);
            var found = TSqlCheck.Problems(sql);
            return found.Count == 0 ? null : $"EF Core's T-SQL does not pass: {string.Join("; ", found)}\n{sql}";
        }
        catch (Exception e)
        {
            var cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            return $"EF Core's SQL Server provider cannot translate a query: {cause.GetType().Name}: {cause.Message}";
        }
    }

    /// <summary>The T-SQL that EF Core's SQL Server provider sends for <paramref name="query"/> (as compiled, parameters extracted).</summary>
    public static string Translate(Expression query)
    {
        using var db = new FlagDbContext(SideOptions);
        // As the service's SQL Server context compiles it: with its value-hash rewrite (an interceptor, which this bypasses).
        var onSqlServer = SqlServerValueHashes.Rewrite(new QueryRoots(db.Model).Visit(query));
        var sequence = onSqlServer.Type.GetInterfaces().Append(onSqlServer.Type)
            .FirstOrDefault(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IQueryable<>));
        var resultType = sequence is not null
            ? typeof(IAsyncEnumerable<>).MakeGenericType(sequence.GetGenericArguments()[0])
            : typeof(Task<>).MakeGenericType(onSqlServer.Type);
        var database = db.GetService<IDatabase>();
        var compile = typeof(IDatabase).GetMethod(nameof(IDatabase.CompileQuery))!.MakeGenericMethod(resultType);
        var executor = (Delegate)compile.Invoke(database, [onSqlServer, true])!;

        var context = db.GetService<IQueryContextFactory>().Create();
        foreach (var parameter in new Parameters().Find(onSqlServer))
        {
            context.Parameters[parameter.Name] = Sample(parameter.Type);
        }

        try
        {
            var result = executor.DynamicInvoke(context);
            RunAsync(result).GetAwaiter().GetResult();
        }
        catch (Exception e) when (Caught(e) is { } sent)
        {
            return sent.Sql;
        }
        catch (TargetInvocationException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(inner).Throw();
        }

        throw new InvalidOperationException("The query sent nothing.");
    }

    private static CaughtCommand? Caught(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is CaughtCommand caught)
            {
                return caught;
            }
        }

        return null;
    }

    private static async Task RunAsync(object? result)
    {
        switch (result)
        {
            case Task task:
                await task;
                break;
            case not null:
                // An IAsyncEnumerable<T>: its first MoveNextAsync sends the command.
                var enumerator = result.GetType().GetMethod("GetAsyncEnumerator")!.Invoke(result, [CancellationToken.None])!;
                var next = enumerator.GetType().GetMethod("MoveNextAsync")!.Invoke(enumerator, null)!;
                await (ValueTask<bool>)next;
                break;
        }
    }

    /// <summary>A value of <paramref name="type"/> for a parameter: not null, so the T-SQL is the general one.</summary>
    private static object? Sample(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(string))
        {
            return "x";
        }

        if (underlying == typeof(DateTime))
        {
            return new DateTime(2026, 12, 6, 0, 0, 0, DateTimeKind.Utc);
        }

        if (underlying == typeof(DateOnly))
        {
            return new DateOnly(2026, 12, 6);
        }

        if (underlying == typeof(byte[]))
        {
            return new byte[] { 1 };
        }

        if (underlying.IsEnum)
        {
            return Enum.GetValues(underlying).GetValue(0);
        }

        if (underlying.IsPrimitive || underlying == typeof(decimal))
        {
            return Convert.ChangeType(1, underlying, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (underlying == typeof(TimeSpan))
        {
            return TimeSpan.FromHours(1);
        }

        if (underlying == typeof(Guid))
        {
            return Guid.Empty;
        }

        var element = underlying.IsArray ? underlying.GetElementType() : underlying.GetInterfaces().Append(underlying)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
        if (element is not null)
        {
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            list.Add(Sample(element));
            return underlying.IsArray ? list.GetType().GetMethod("ToArray")!.Invoke(list, null) : list;
        }

        return underlying.IsValueType ? Activator.CreateInstance(underlying) : null;
    }

    /// <summary>Points the query's entity roots at the SQL Server model's entity types, the same entities by name.</summary>
    private sealed class QueryRoots(Microsoft.EntityFrameworkCore.Metadata.IModel model) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node) => node switch
        {
            EntityQueryRootExpression root when root.GetType() == typeof(EntityQueryRootExpression) =>
                new EntityQueryRootExpression(model.FindEntityType(root.EntityType.Name)
                    ?? throw new InvalidOperationException($"The SQL Server model has no entity {root.EntityType.Name}.")),
            _ => base.VisitExtension(node),
        };
    }

    private sealed class Parameters : ExpressionVisitor
    {
        private readonly Dictionary<string, Type> found = [];

        public IEnumerable<(string Name, Type Type)> Find(Expression expression)
        {
            Visit(expression);
            return found.Select(p => (p.Key, p.Value));
        }

        protected override Expression VisitExtension(Expression node)
        {
            if (node is QueryParameterExpression parameter)
            {
                found[parameter.Name] = parameter.Type;
                return node;
            }

            return base.VisitExtension(node);
        }
    }

    private sealed class CaughtCommand(string sql) : Exception("caught before it was sent")
    {
        public string Sql { get; } = sql;
    }

    /// <summary>Opens no connection, and catches each command as it would go to the server.</summary>
    private sealed class CaughtCommands : DbCommandInterceptor, IDbConnectionInterceptor
    {
        public InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) =>
            InterceptionResult.Suppress();

        public ValueTask<InterceptionResult> ConnectionOpeningAsync(
            DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(InterceptionResult.Suppress());

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            throw new CaughtCommand(command.CommandText);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            throw new CaughtCommand(command.CommandText);

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
            throw new CaughtCommand(command.CommandText);

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) =>
            throw new CaughtCommand(command.CommandText);

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            throw new CaughtCommand(command.CommandText);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            throw new CaughtCommand(command.CommandText);
    }
}
