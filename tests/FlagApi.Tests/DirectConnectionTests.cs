using FlagApi.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlagApi.Tests;

/// <summary>
/// <c>ConnectionStrings:FlagApiDirect</c>, the session connection behind a pooler (docs/operations.md, "Behind
/// PgBouncer"): what it is made of, what it does to the main connection string, and the start it stops when it is wrong.
/// That the LISTEN really takes it and the writes really go through PgBouncer is shown by FlagApi.SystemTests, PgBouncerTests.
/// </summary>
public sealed class DirectConnectionTests
{
    private const string ThroughThePooler = "Host=pgbouncer.internal;Port=6432;Username=flagapi_app;Password=s3cret-pass;Database=flags;Timeout=7";

    [Fact]
    public void TheDirectConnectionTakesWhatItDoesNotNameFromTheMainOne()
    {
        using var host = Build(new() { ["ConnectionStrings:FlagApiDirect"] = "Host=db.internal;Port=5433" });
        var direct = host.Services.GetRequiredService<DirectConnection>();

        var settings = new NpgsqlConnectionStringBuilder(direct.ConnectionString);
        Assert.True(direct.Configured);
        Assert.Equal(("db.internal", 5433), (settings.Host, settings.Port));
        Assert.Equal(("flagapi_app", "s3cret-pass", "flags", 7), (settings.Username, settings.Password, settings.Database, settings.Timeout));
        Assert.False(settings.NoResetOnClose);
        Assert.Equal("db.internal:5433", direct.Endpoint);
    }

    [Fact]
    public void ADirectConnectionNamingSeveralServersListensOnTheOneThatTakesWrites()
    {
        using var host = Build(new() { ["ConnectionStrings:FlagApiDirect"] = "Host=db2,db1" });
        var settings = new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<DirectConnection>().ConnectionString);

        Assert.Equal("db2,db1", settings.Host);
        Assert.Equal("read-write", settings.TargetSessionAttributes);
        Assert.Equal(1, settings.HostRecheckSeconds);
        Assert.Equal("s3cret-pass", settings.Password);
    }

    [Fact]
    public void WithoutItSessionsUseTheMainConnectionStringUnchanged()
    {
        using var host = Build([]);
        var direct = host.Services.GetRequiredService<DirectConnection>();
        var main = host.Services.GetRequiredService<DatabaseProviderInfo>().ConnectionString;

        Assert.False(direct.Configured);
        Assert.Equal(main, direct.ConnectionString);
        Assert.False(new NpgsqlConnectionStringBuilder(main).NoResetOnClose);
        Assert.Equal("pgbouncer.internal:6432", direct.Endpoint);
    }

    [Fact]
    public void WithItTheMainConnectionIsNotResetWhenPooledUnlessItsStringSaysSo()
    {
        using (var host = Build(new() { ["ConnectionStrings:FlagApiDirect"] = "Host=db.internal" }))
        {
            Assert.True(new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<DatabaseProviderInfo>().ConnectionString).NoResetOnClose);
        }

        using (var host = Build(new()
        {
            ["ConnectionStrings:FlagApi"] = ThroughThePooler + ";No Reset On Close=false",
            ["ConnectionStrings:FlagApiDirect"] = "Host=db.internal",
        }))
        {
            Assert.False(new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<DatabaseProviderInfo>().ConnectionString).NoResetOnClose);
        }
    }

    [Theory]
    [InlineData("Host=db.internal;Colour=blue", "Couldn't set colour")]
    [InlineData("Host=db.internal;Port=fifty", "ConnectionStrings:FlagApiDirect is not a PostgreSQL connection string")]
    [InlineData("Host=db.internal;Password=other-s3cret;Timeout=-3", "ConnectionStrings:FlagApiDirect is not a PostgreSQL connection string")]
    [InlineData("just words", "ConnectionStrings:FlagApiDirect is not a PostgreSQL connection string")]
    public async Task ADirectConnectionStringThatDoesNotParseStopsTheStartNamingTheKeyAndNoPassword(string direct, string expected)
    {
        using var host = Build(new() { ["ConnectionStrings:FlagApiDirect"] = direct });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.True(failure.Message.Contains(expected, StringComparison.Ordinal), failure.Message);
        Assert.DoesNotContain("s3cret", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADirectConnectionOnSQLiteStopsTheStart()
    {
        using var host = Build(new()
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:FlagApi"] = "",
            ["ConnectionStrings:FlagApiDirect"] = "Host=db.internal",
        });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains("ConnectionStrings:FlagApiDirect is for PostgreSQL behind a pooler; Database:Provider is Sqlite", failure.Message, StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Path.GetTempPath() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:FlagApi"] = ThroughThePooler,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddFlagData();
        builder.AddChangeListener();

        // Only the options are started here: the services that would reach the database are not wanted.
        builder.Services.RemoveAll<IHostedService>();
        return builder.Build();
    }
}
