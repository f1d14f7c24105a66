using System.Text.RegularExpressions;
using FlagApi.Data;

namespace FlagApi.Tests;

/// <summary>The starting allowlist of schema 0004, read from the migration scripts themselves.</summary>
internal static partial class StartingAllowlist
{
    private const string SeedMigration = "0004_starting_allowlist";

    internal static IReadOnlyList<SeedRow> Seed(DatabaseProvider provider)
    {
        var sql = SchemaMigrator.All(provider).Single(m => m.Name == SeedMigration).Sql;
        return [.. SeedRowPattern().Matches(sql).Select(m => new SeedRow(
            Unquote(m.Groups["kind"].Value), Unquote(m.Groups["value"].Value), Unquote(m.Groups["display"].Value), Unquote(m.Groups["reason"].Value)))];
    }

    private static string Unquote(string literal) => literal.Replace("''", "'", StringComparison.Ordinal);

    // T-SQL writes each literal N'…' (Unicode whatever the database's code page); SQLite and PostgreSQL plainly.
    [GeneratedRegex(@"^\s*\(N?'(?<kind>(?:[^']|'')*)', N?'(?<value>(?:[^']|'')*)', N?'(?<display>(?:[^']|'')*)', N?'(?<reason>(?:[^']|'')*)'\)", RegexOptions.Multiline)]
    private static partial Regex SeedRowPattern();

    internal sealed record SeedRow(string Kind, string Value, string Display, string Reason);
}
