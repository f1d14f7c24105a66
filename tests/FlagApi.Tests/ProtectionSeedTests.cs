using System.Text.RegularExpressions;
using FlagApi.Data;
using FlagApi.Identifiers;

namespace FlagApi.Tests;

/// <summary>The starting allowlist of schema 0004, read from the migration scripts themselves.</summary>
public partial class ProtectionSeedTests
{
    private const string SeedMigration = "0004_starting_allowlist";

    public static TheoryData<DatabaseProvider> Providers => new() { DatabaseProvider.Sqlite, DatabaseProvider.Postgres };

    [Theory]
    [MemberData(nameof(Providers))]
    public void EverySeededValueIsTheCanonicalKeyOfItsDisplayValue(DatabaseProvider provider)
    {
        var rows = Seed(provider);

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
    public void BothProvidersSeedTheSameRows()
    {
        Assert.Equal(Seed(DatabaseProvider.Sqlite), Seed(DatabaseProvider.Postgres));
    }

    [Fact]
    public void NoIdentifierIsSeededTwice()
    {
        var rows = Seed(DatabaseProvider.Sqlite);

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
        Assert.Contains(Seed(DatabaseProvider.Sqlite), row => row.Kind == kind && row.Display == display);
    }

    internal static IReadOnlyList<SeedRow> Seed(DatabaseProvider provider)
    {
        var sql = SchemaMigrator.All(provider).Single(m => m.Name == SeedMigration).Sql;
        return [.. SeedRowPattern().Matches(sql).Select(m => new SeedRow(
            Unquote(m.Groups["kind"].Value), Unquote(m.Groups["value"].Value), Unquote(m.Groups["display"].Value), Unquote(m.Groups["reason"].Value)))];
    }

    private static string Unquote(string literal) => literal.Replace("''", "'", StringComparison.Ordinal);

    [GeneratedRegex(@"^\s*\('(?<kind>(?:[^']|'')*)', '(?<value>(?:[^']|'')*)', '(?<display>(?:[^']|'')*)', '(?<reason>(?:[^']|'')*)'\)", RegexOptions.Multiline)]
    private static partial Regex SeedRowPattern();

    internal sealed record SeedRow(string Kind, string Value, string Display, string Reason);
}
