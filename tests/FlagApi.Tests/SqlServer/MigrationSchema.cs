using System.Text.RegularExpressions;

namespace FlagApi.Tests.SqlServer;

/// <summary>
/// A column as the migrations declare it. <paramref name="Type"/> is a family both providers share (text, bigint, int,
/// timestamp, date, bytes, bool), so that PostgreSQL's text and SQL Server's nvarchar compare equal; a computed column has
/// its expression instead.
/// </summary>
internal sealed record SchemaColumn(
    string Type, bool Nullable, bool Identity = false, string? References = null, string? Default = null, string? Check = null,
    string? Computed = null)
{
    public override string ToString() => Computed is not null
        ? $"AS {Computed}"
        : string.Join(' ', new[]
        {
            Type, Nullable ? "NULL" : "NOT NULL", Identity ? "IDENTITY" : null, References is null ? null : $"REFERENCES {References}",
            Default is null ? null : $"DEFAULT '{Default}'", Check is null ? null : $"CHECK ({Check})",
        }.Where(part => part is not null));
}

internal sealed record SchemaIndex(string Table, IReadOnlyList<string> Columns, bool Unique, string? Filter)
{
    public override string ToString() =>
        $"{(Unique ? "UNIQUE " : "")}ON {Table} ({string.Join(", ", Columns)}){(Filter is null ? "" : $" WHERE {Filter}")}";
}

/// <summary>The schema a provider's migrations leave, built statement by statement as a database would.</summary>
internal sealed partial class MigrationSchema
{
    public Dictionary<string, Dictionary<string, SchemaColumn>> Tables { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, IReadOnlyList<string>> PrimaryKeys { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SchemaIndex> Indexes { get; } = new(StringComparer.Ordinal);

    public void CreateTable(string table)
    {
        if (!Tables.TryAdd(table, new Dictionary<string, SchemaColumn>(StringComparer.Ordinal)))
        {
            throw new InvalidOperationException($"table {table} is created twice");
        }
    }

    public void AddColumn(string table, string column, SchemaColumn definition)
    {
        if (!Table(table).TryAdd(column, definition))
        {
            throw new InvalidOperationException($"column {table}.{column} is added twice");
        }
    }

    public void DropColumn(string table, string column)
    {
        if (!Table(table).Remove(column))
        {
            throw new InvalidOperationException($"column {table}.{column} is dropped but does not exist");
        }

        if (Indexes.FirstOrDefault(i => i.Value.Table == table && i.Value.Columns.Contains(column)) is { Key: not null } index)
        {
            throw new InvalidOperationException($"column {table}.{column} is dropped while index {index.Key} uses it");
        }
    }

    public void SetPrimaryKey(string table, IReadOnlyList<string> columns)
    {
        if (!PrimaryKeys.TryAdd(table, columns))
        {
            throw new InvalidOperationException($"table {table} has two primary keys");
        }
    }

    public void CreateIndex(string name, SchemaIndex index)
    {
        var missing = index.Columns.Where(c => !Table(index.Table).ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"index {name} names columns {index.Table} does not have: {string.Join(", ", missing)}");
        }

        if (!Indexes.TryAdd(name, index))
        {
            throw new InvalidOperationException($"index {name} is created twice");
        }
    }

    public void DropIndex(string name, string? table)
    {
        if (!Indexes.Remove(name, out var index) || (table is not null && index.Table != table))
        {
            throw new InvalidOperationException($"index {name} is dropped but does not exist{(table is null ? "" : $" on {table}")}");
        }
    }

    /// <summary>One line per table, column, primary key and index, in order: two schemas are equal when these are.</summary>
    public IReadOnlyList<string> Describe() =>
    [
        .. Tables.SelectMany(t => t.Value.Select(c => $"column {t.Key}.{c.Key} {c.Value}").Prepend($"table {t.Key}"))
            .Concat(PrimaryKeys.Select(p => $"primary key {p.Key} ({string.Join(", ", p.Value)})"))
            .Concat(Indexes.Select(i => $"index {i.Key} {i.Value}"))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>Whitespace folded and T-SQL's N'' literals written as plain ones, so that two providers' filters compare.</summary>
    public static string NormalizeExpression(string sql) =>
        Whitespace().Replace(NationalLiteral().Replace(sql, "'"), " ").Trim();

    private Dictionary<string, SchemaColumn> Table(string table) =>
        Tables.TryGetValue(table, out var columns) ? columns : throw new InvalidOperationException($"table {table} does not exist");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"(?<![\w'])N'")]
    private static partial Regex NationalLiteral();
}
