using FlagApi.Data;
using FlagApi.Identifiers;

namespace FlagApi.Tests;

/// <summary>The starting allowlist of schema 0004, read from the migration scripts themselves.</summary>
public class ProtectionSeedTests
{
    public static TheoryData<DatabaseProvider> Providers => new() { DatabaseProvider.Sqlite, DatabaseProvider.Postgres, DatabaseProvider.SqlServer };

    [Theory]
    [MemberData(nameof(Providers))]
    public void EverySeededValueIsTheCanonicalKeyOfItsDisplayValue(DatabaseProvider provider)
    {
        var rows = StartingAllowlist.Seed(provider);

        Assert.NotEmpty(rows);
        Assert.All(rows, row =>
        {
            Assert.True(IdentifierKinds.TryParse(row.Kind, out var kind), $"unknown kind {row.Kind}");
            var canonical = Identifier.Canonicalize(kind, row.Display);
            Assert.True(canonical.IsValid, $"{row.Kind} {row.Display}: {canonical}");
            Assert.Equal(Matching.EntryKey(kind, canonical.Value!), row.Value);
            Assert.False(string.IsNullOrWhiteSpace(row.Reason));
        });
    }

    [Fact]
    public void EveryProviderSeedsTheSameRows()
    {
        var sqlite = StartingAllowlist.Seed(DatabaseProvider.Sqlite);

        Assert.Equal(sqlite, StartingAllowlist.Seed(DatabaseProvider.Postgres));
        Assert.Equal(sqlite, StartingAllowlist.Seed(DatabaseProvider.SqlServer));
    }

    [Fact]
    public void NoIdentifierIsSeededTwice()
    {
        var rows = StartingAllowlist.Seed(DatabaseProvider.Sqlite);

        Assert.Equal(rows.Count, rows.Select(r => (r.Kind, r.Value)).Distinct().Count());
    }

    [Theory]
    [InlineData("phone", "95555")]
    [InlineData("phone", "95588")]
    [InlineData("phone", "10086")]
    [InlineData("phone", "110")]
    [InlineData("phone", "12381")]
    [InlineData("phone", "96110")]
    [InlineData("phone", "95188")]
    [InlineData("phone", "95017")]
    [InlineData("domain", "github.com")]
    [InlineData("domain", "github.io")]
    [InlineData("domain", "weixin.qq.com")]
    [InlineData("domain", "gov.cn")]
    [InlineData("domain", "12377.cn")]
    public void StartingAllowlistHoldsTheIdentifiersFraudstersImpersonateMost(string kind, string display)
    {
        Assert.Contains(StartingAllowlist.Seed(DatabaseProvider.Sqlite), row => row.Kind == kind && row.Display == display);
    }
}
