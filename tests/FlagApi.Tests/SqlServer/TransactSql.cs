using FlagApi.Data;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace FlagApi.Tests.SqlServer;

/// <summary>T-SQL as Microsoft's own parser (ScriptDom) reads it: no SQL Server runs here, its grammar does.</summary>
internal static class TransactSql
{
    /// <summary>The versions the SQL Server provider supports: 2019 (OPENJSON, UTF-8 collations) and 2022.</summary>
    public static TheoryData<string> Versions => ["2019", "2022"];

    public static TSqlParser Parser(string version) => version switch
    {
        "2019" => new TSql150Parser(initialQuotedIdentifiers: true),
        "2022" => new TSql160Parser(initialQuotedIdentifiers: true),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "no parser for that SQL Server version"),
    };

    /// <summary>The parse errors of each batch of a script, split as <see cref="SchemaMigrator.Batches"/> splits it for SqlClient.</summary>
    public static IReadOnlyList<string> Errors(string version, string script) =>
    [
        .. SchemaMigrator.Batches(script).SelectMany((batch, i) =>
        {
            Parser(version).Parse(new StringReader(batch), out var errors);
            return errors.Select(e => $"batch {i + 1}, line {e.Line}: {e.Message}");
        }),
    ];

    /// <summary>The parse errors of one batch under every supported version's grammar; none when it parses.</summary>
    public static IReadOnlyList<string> Errors(string batch) =>
    [
        .. ((string[])["2019", "2022"]).SelectMany(version =>
        {
            Parser(version).Parse(new StringReader(batch), out var errors);
            return errors.Select(e => $"SQL Server {version}, line {e.Line}, column {e.Column}: {e.Message}");
        }),
    ];

    /// <summary>The syntax tree of one batch, which must parse.</summary>
    public static TSqlFragment Parse(string batch)
    {
        var fragment = Parser("2019").Parse(new StringReader(batch), out var errors);
        Assert.True(errors.Count == 0, $"T-SQL that does not parse: {string.Join("; ", errors.Select(e => e.Message))}\n{batch}");
        return fragment;
    }

    /// <summary>The statements of each batch of a script; a batch that does not parse fails.</summary>
    public static IReadOnlyList<IReadOnlyList<TSqlStatement>> Batches(string script) =>
    [
        .. SchemaMigrator.Batches(script).Select(batch =>
        {
            var fragment = Parser("2022").Parse(new StringReader(batch), out var errors);
            if (errors.Count > 0)
            {
                throw new InvalidOperationException($"T-SQL that does not parse: {errors[0].Message} (line {errors[0].Line})");
            }

            return (IReadOnlyList<TSqlStatement>)[.. ((TSqlScript)fragment).Batches.SelectMany(b => b.Statements)];
        }),
    ];

    /// <summary>A fragment's text as written.</summary>
    public static string Text(TSqlFragment fragment) =>
        string.Concat(fragment.ScriptTokenStream.Skip(fragment.FirstTokenIndex)
            .Take(fragment.LastTokenIndex - fragment.FirstTokenIndex + 1).Select(t => t.Text));
}
