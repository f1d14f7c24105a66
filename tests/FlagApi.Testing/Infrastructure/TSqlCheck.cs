using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace FlagApi.Tests.Infrastructure;

/// <summary>
/// What SQL Server would object to in a batch, as far as its grammar tells without a server: it must parse under SQL
/// Server 2019's and 2022's grammars (Microsoft's ScriptDom), call only functions SQL Server has, and use no boolean
/// literal (T-SQL has none: <c>true</c> would be read as a column's name).
/// </summary>
public static class TSqlCheck
{
    /// <summary>Built-in functions of SQL Server that the service's statements and EF Core's T-SQL may call.</summary>
    public static readonly IReadOnlySet<string> Functions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "COUNT", "COUNT_BIG", "MAX", "MIN", "SUM", "AVG", "COALESCE", "ISNULL", "NULLIF", "IIF", "HASHBYTES", "IDENT_CURRENT",
        "OBJECT_ID", "DB_ID", "DB_NAME", "SYSUTCDATETIME", "GETUTCDATE", "LEN", "DATALENGTH", "LOWER", "UPPER", "LTRIM", "RTRIM",
        "TRIM", "LEFT", "RIGHT", "SUBSTRING", "CHARINDEX", "REPLACE", "CONCAT", "ABS", "ROUND", "FLOOR", "CEILING", "ROW_NUMBER",
        "DATEADD", "DATEDIFF", "DATEDIFF_BIG", "DATEPART", "DATEFROMPARTS", "DATETIME2FROMPARTS", "EOMONTH", "OPENJSON", "JSON_VALUE",
        "STRING_AGG", "PERCENTILE_CONT", "PERCENTILE_DISC",
    };

    /// <summary>Everything wrong with <paramref name="batch"/>; empty when it passes.</summary>
    public static IReadOnlyList<string> Problems(string batch)
    {
        var problems = new List<string>();
        TSqlFragment? tree = null;
        foreach (var (version, parser) in ((string, TSqlParser)[])[("2019", new TSql150Parser(true)), ("2022", new TSql160Parser(true))])
        {
            using var reader = new StringReader(batch);
            var parsed = parser.Parse(reader, out var errors);
            problems.AddRange(errors.Select(e => $"SQL Server {version} line {e.Line}, column {e.Column}: {e.Message}"));
            tree ??= errors.Count == 0 ? parsed : null;
        }

        if (tree is null)
        {
            return problems;
        }

        var calls = new Calls();
        tree.Accept(calls);
        problems.AddRange(calls.Names.Where(n => !Functions.Contains(n)).Distinct().Select(n => $"calls {n}, not a function of SQL Server"));
        problems.AddRange(calls.BooleanLiterals.Select(b => $"uses {b} as a value: SQL Server has no boolean literal"));
        return problems;
    }

    private sealed class Calls : TSqlFragmentVisitor
    {
        public List<string> Names { get; } = [];

        public List<string> BooleanLiterals { get; } = [];

        public override void Visit(FunctionCall node) => Names.Add(node.FunctionName.Value);

        public override void Visit(ColumnReferenceExpression node)
        {
            if (node.MultiPartIdentifier is { Count: 1 } name && name.Identifiers[0].Value.ToLowerInvariant() is "true" or "false")
            {
                BooleanLiterals.Add(name.Identifiers[0].Value);
            }
        }
    }
}
