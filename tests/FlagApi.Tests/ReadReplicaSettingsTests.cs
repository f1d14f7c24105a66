using FlagApi.Data;
using Npgsql;

namespace FlagApi.Tests;

/// <summary>ConnectionStrings:FlagApiReadOnly: which standby reads ask for, and which providers refuse it.</summary>
public sealed class ReadReplicaSettingsTests
{
    [Fact]
    public void SeveralHostsWithNothingAskedReadFromAStandbyWhenOneAnswers()
    {
        var settings = new NpgsqlConnectionStringBuilder(ReadReplica.ForReads("Host=replica1,replica2;Database=flagapi;Password=secret"));

        Assert.Equal("prefer-standby", settings.TargetSessionAttributes);
        Assert.Equal("replica1,replica2", settings.Host);
        Assert.Equal("secret", settings.Password);
    }

    [Theory]
    [InlineData("Host=replica1,replica2;Target Session Attributes=standby", "standby")]
    [InlineData("Host=replica1,replica2;Target Session Attributes=any", "any")]
    [InlineData("Host=replica;Database=flagapi", null)]
    public void WhatTheConnectionStringAsksForIsKept(string connectionString, string? attributes) =>
        Assert.Equal(attributes, new NpgsqlConnectionStringBuilder(ReadReplica.ForReads(connectionString)).TargetSessionAttributes);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "SQLite")]
    [InlineData(DatabaseProvider.SqlServer, "SQL Server")]
    public void OnlyPostgreSqlTakesAReadReplica(DatabaseProvider provider, string named)
    {
        var refusal = ReadReplica.Refusal(provider, "Server=replica;ApplicationIntent=ReadOnly");

        Assert.NotNull(refusal);
        Assert.Contains($"the database is {named}", refusal, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', refusal);
        Assert.Null(ReadReplica.Refusal(provider, " "));
        Assert.Null(ReadReplica.Refusal(DatabaseProvider.Postgres, "Host=replica"));
    }
}
