using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace FlagApi.Tests.SqlServer;

/// <summary>Microsoft's own T-SQL parser (ScriptDom), as SQL Server 2019 and 2022 parse a batch.</summary>
public static class TSql
{
    /// <summary>The parse errors of <paramref name="sql"/> under SQL Server 2019's and 2022's grammar; none when it parses.</summary>
    public static IReadOnlyList<string> Errors(string sql)
    {
        var errors = new List<string>();
        foreach (var parser in (TSqlParser[])[new TSql150Parser(initialQuotedIdentifiers: true), new TSql160Parser(initialQuotedIdentifiers: true)])
        {
            using var reader = new StringReader(sql);
            parser.Parse(reader, out var found);
            errors.AddRange(found.Select(e => $"{parser.GetType().Name} line {e.Line}, column {e.Column}: {e.Message}"));
        }

        return errors;
    }

    /// <summary>The syntax tree of <paramref name="sql"/>, which must parse.</summary>
    public static TSqlFragment Parse(string sql)
    {
        using var reader = new StringReader(sql);
        var fragment = new TSql150Parser(initialQuotedIdentifiers: true).Parse(reader, out var errors);
        Assert.True(errors.Count == 0, $"T-SQL does not parse: {string.Join("; ", errors.Select(e => e.Message))}\n{sql}");
        return fragment;
    }
}
