using FlagApi.Data;
using Npgsql;

namespace FlagApi.Tests;

/// <summary>A connection string naming a primary and its standbys: the service writes to whichever takes writes.</summary>
public sealed class PostgresHostsTests
{
    [Theory]
    [InlineData("Host=db;Database=flagapi", 1)]
    [InlineData("Host=db1,db2;Database=flagapi", 2)]
    [InlineData("Host=10.0.0.1:5432, 10.0.0.2:5433 ,10.0.0.3;Database=flagapi", 3)]
    public void CountsTheServersNamed(string connectionString, int hosts) => Assert.Equal(hosts, PostgresHosts.Count(connectionString));

    [Fact]
    public void SeveralHostsWithNothingAskedWriteToTheServerThatTakesWrites()
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresHosts.ForWrites("Host=standby,primary;Database=flagapi;Username=flagapi;Password=secret"));

        Assert.Equal("read-write", settings.TargetSessionAttributes);
        Assert.Equal(1, settings.HostRecheckSeconds);
        Assert.Equal("standby,primary", settings.Host);
        Assert.Equal("secret", settings.Password);
    }

    [Fact]
    public void OneHostIsLeftAsWritten() =>
        Assert.Equal("Host=db;Database=flagapi", PostgresHosts.ForWrites("Host=db;Database=flagapi"));

    [Theory]
    [InlineData("Host=db1,db2;Target Session Attributes=primary;Host Recheck Seconds=30", "primary", 30)]
    [InlineData("Host=db1,db2;Target Session Attributes=any;host recheck seconds=10", "any", 10)]
    [InlineData("Host=db1,db2;Target Session Attributes=prefer-primary", "prefer-primary", 1)]
    public void WhatTheConnectionStringAsksForIsKept(string connectionString, string attributes, int recheck)
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgresHosts.ForWrites(connectionString));

        Assert.Equal(attributes, settings.TargetSessionAttributes);
        Assert.Equal(recheck, settings.HostRecheckSeconds);
    }

    [Theory]
    [InlineData("Host=db1,db2;Target Session Attributes=standby", false)]
    [InlineData("Host=db1,db2;Target Session Attributes=read-only", false)]
    [InlineData("Host=db1,db2;Target Session Attributes=prefer-standby", false)]
    [InlineData("Host=db1,db2;Target Session Attributes=read-write", true)]
    [InlineData("Host=db1,db2;Target Session Attributes=prefer-primary", true)]
    [InlineData("Host=db1", true)]
    [InlineData("", true)]
    public void AConnectionStringThatAsksForAStandbyCannotBeWrittenThrough(string connectionString, bool writable) =>
        Assert.Equal(writable, PostgresHosts.CanWrite(connectionString));
}
