using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using FlagApi.Data;
using FlagApi.Problems;
using FlagApi.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FlagApi.Tests.Resilience;

/// <summary>
/// A PostgreSQL connection lost in the middle of a write, at each step in turn: before every command, savepoint and
/// commit the write sends. CI once saw a report answered 500 during a server restart: the connection broke while EF Core
/// released a savepoint after a save, EF Core logged that and went on, and the next command found its transaction
/// completed by the driver ("Transaction is already completed"), which names no outage. Every step must answer 503
/// <c>database_unavailable</c> and store nothing, and the same write once the connection holds must be taken whole.
/// </summary>
public sealed class LostConnectionTests(PostgresTarget target) : IClassFixture<PostgresTarget>
{
    // More steps than any of these writes takes; a write that still meets the cut at this step never finishes.
    private const int MaxSteps = 40;

    public static TheoryData<string> Writes => ["new report", "repeated report", "list", "appeal"];

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task AConnectionLostBeforeAnyStepOfAWriteAnswers503AndStoresNothing(string write)
    {
        var cut = new ConnectionCut();
        var settings = new Dictionary<string, string?> { ["ChangeNotices:Enabled"] = "false" };
        await using var app = new FlagApiFactory(DatabaseProvider.Postgres, await target.CreateDatabaseAsync(), settings)
        {
            TestServices = services =>
            {
                services.AddHttpContextAccessor();
                services.ConfigureDbContext<FlagDbContext>((sp, db) => db.AddInterceptors(new CutBeforeStep(sp.GetRequiredService<IHttpContextAccessor>(), cut)));
            },
        };
        _ = app.Server;
        await app.PublishAsync(("phone", "13800138000", "other", "high"));
        var publisher = app.CreateClient(await app.CreateKeyAsync("publisher", "Test police"));
        using var anonymous = app.CreateClient();
        if (write == "repeated report")
        {
            Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/v1/reports", Report())).StatusCode);
        }

        var before = await CountAsync(app);
        var cutSteps = 0;
        for (var step = 1; ; step++)
        {
            Assert.True(step <= MaxSteps, $"The {write} still met the cut at step {MaxSteps}.");
            cut.Arm(step);
            var answer = write switch
            {
                "list" => await publisher.PostAsJsonAsync("/v1/batches/", Batch()),
                "appeal" => await anonymous.PostAsJsonAsync("/v1/appeals", Appeal()),
                _ => await anonymous.PostAsJsonAsync("/v1/reports", Report()),
            };
            if (answer.IsSuccessStatusCode)
            {
                // Untouched, or cut only after its commit: a copy's catch-up read, which the next refresh repeats.
                Assert.True(!cut.Done || cut.CutAfterCommit, $"The {write} was taken although its connection was lost at step {step}, before its commit.");
                break;
            }

            await Problem.AssertAsync(answer, HttpStatusCode.ServiceUnavailable, ProblemCodes.DatabaseUnavailable);
            Assert.Equal(before, await CountAsync(app));
            cutSteps++;
        }

        Assert.True(cutSteps >= 3, $"The {write} took only {cutSteps} steps: the cut did not reach it.");
        var after = await CountAsync(app);
        var expected = write switch
        {
            "repeated report" => (before.Rows, before.Repeats + 1),
            "new report" => (before.Rows + 1, before.Repeats + 1),
            _ => (before.Rows + 1, before.Repeats),
        };
        Assert.Equal(expected, (after.Rows, after.Repeats));
        Assert.True(after.Records > before.Records, "The write that was taken recorded what it did.");
    }

    private sealed record Stored(long Rows, long Repeats, long Records);

    /// <summary>What these writes add: a report, a list or an appeal (one row each), a repeat, and what records them (audit, appeal events, change log).</summary>
    private static async Task<Stored> CountAsync(FlagApiFactory app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<FlagDbContext>();
        var rows = await db.Reports.LongCountAsync() + await db.Lists.LongCountAsync() + await db.Appeals.LongCountAsync();
        var repeats = await db.Reports.SumAsync(r => (long)r.Times);
        return new Stored(rows, repeats, await db.AuditLog.LongCountAsync() + await db.AppealEvents.LongCountAsync() + await db.ChangeLog.LongCountAsync());
    }

    private static object Report() => new { kind = "phone", value = "13900000001", description = "Called about a parcel that never came." };

    private static object Batch() => new
    {
        reference = "cut-" + Guid.NewGuid().ToString("N"),
        entries = new[] { new { kind = "phone", value = "13700000001", category = "other", risk = "high" } },
    };

    private static object Appeal() => new
    {
        kind = "phone",
        value = "13800138000",
        appellant = new { name = "Li Wei", contact = "li.wei@example.com" },
        statement = "It is my number.",
    };

    /// <summary>Counts the steps of each write request's database work, and cuts its connection before the armed one.</summary>
    private sealed class ConnectionCut
    {
        private int step;
        private int target;
        private bool committed;

        public bool Done { get; private set; }

        /// <summary>Whether the write had committed when its connection was cut.</summary>
        public bool CutAfterCommit { get; private set; }

        public void Arm(int at)
        {
            step = 0;
            target = at;
            committed = false;
            Done = false;
            CutAfterCommit = false;
        }

        public void Committed() => committed = true;

        public async Task BeforeAsync(DbConnection connection, CancellationToken cancellationToken)
        {
            if (++step != target || connection is not NpgsqlConnection postgres)
            {
                return;
            }

            // Waits until the server process has exited, so the step itself meets the lost connection.
            await using var admin = new NpgsqlConnection(PostgresTarget.AdminConnectionString);
            await admin.OpenAsync(cancellationToken);
            await using var terminate = new NpgsqlCommand("SELECT pg_terminate_backend(@pid, 10000)", admin);
            terminate.Parameters.AddWithValue("pid", postgres.ProcessID);
            Assert.True((bool)(await terminate.ExecuteScalarAsync(cancellationToken))!);
            Done = true;
            CutAfterCommit = committed;
        }
    }

    /// <summary>Only a write request's work counts: lookups and the background refreshes go on untouched.</summary>
    private sealed class CutBeforeStep(IHttpContextAccessor http, ConnectionCut cut) : IDbCommandInterceptor, IDbTransactionInterceptor
    {
        private bool InWrite => http.HttpContext?.Request.Method == HttpMethods.Post;

        public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            await StepAsync(command.Connection, cancellationToken);
            return result;
        }

        public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            await StepAsync(command.Connection, cancellationToken);
            return result;
        }

        public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            await StepAsync(command.Connection, cancellationToken);
            return result;
        }

        public async ValueTask<InterceptionResult> CreatingSavepointAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            await StepAsync(transaction.Connection, cancellationToken);
            return result;
        }

        public async ValueTask<InterceptionResult> ReleasingSavepointAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            await StepAsync(transaction.Connection, cancellationToken);
            return result;
        }

        public async ValueTask<InterceptionResult> TransactionCommittingAsync(
            DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
        {
            await StepAsync(transaction.Connection, cancellationToken);
            return result;
        }

        public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            if (InWrite)
            {
                cut.Committed();
            }

            return Task.CompletedTask;
        }

        private Task StepAsync(DbConnection? connection, CancellationToken cancellationToken) =>
            InWrite && connection is not null ? cut.BeforeAsync(connection, cancellationToken) : Task.CompletedTask;
    }
}
