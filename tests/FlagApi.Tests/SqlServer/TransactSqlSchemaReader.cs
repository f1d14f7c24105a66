using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace FlagApi.Tests.SqlServer;

/// <summary>The schema SQL Server's migrations leave, with each column's store type as declared (nvarchar(64) COLLATE …).</summary>
internal sealed class TransactSqlSchema
{
    public MigrationSchema Schema { get; } = new();

    public Dictionary<(string Table, string Column), StoreType> StoreTypes { get; } = [];

    public Dictionary<(string Table, string Column), string> DefaultConstraintNames { get; } = [];
}

/// <param name="Name">nvarchar, bigint, datetime2…; for a computed column the type its expression casts to.</param>
/// <param name="Length">nvarchar(64) → 64, nvarchar(max) → null, datetime2(7) → 7.</param>
internal sealed record StoreType(string Name, int? Length, bool IsMax, string? Collation)
{
    /// <summary>Bytes the value takes at most in an index key; null for a (max) type, which cannot be a key at all.</summary>
    public int? KeyBytes => IsMax ? null : Name switch
    {
        "nvarchar" => 2 * Length,
        "bigint" or "datetime2" => 8,
        "int" => 4,
        "date" => 3,
        "bit" => 1,
        "binary" or "varbinary" => Length,
        _ => throw new InvalidOperationException($"no key size known for {Name}"),
    };

    public override string ToString() =>
        $"{Name}{(IsMax ? "(max)" : Length is { } length ? $"({length})" : "")}{(Collation is null ? "" : $" COLLATE {Collation}")}";
}

/// <summary>
/// Reads the schema from ScriptDom's syntax tree of each batch. Only the statements a migration may hold are understood;
/// any other fails the read, so that a new kind of statement is taught here rather than skipped.
/// </summary>
internal static class TransactSqlSchemaReader
{
    public static TransactSqlSchema Read(IEnumerable<string> scripts)
    {
        var result = new TransactSqlSchema();
        foreach (var statement in scripts.SelectMany(TransactSql.Batches).SelectMany(batch => batch))
        {
            Apply(result, statement);
        }

        return result;
    }

    private static void Apply(TransactSqlSchema result, TSqlStatement statement)
    {
        var schema = result.Schema;
        switch (statement)
        {
            case CreateTableStatement create:
                var table = Name(create.SchemaObjectName);
                schema.CreateTable(table);
                AddColumns(result, table, create.Definition);
                foreach (var key in create.Definition.TableConstraints.OfType<UniqueConstraintDefinition>())
                {
                    schema.SetPrimaryKey(table, key.IsPrimaryKey
                        ? [.. key.Columns.Select(c => Column(c.Column))]
                        : throw new InvalidOperationException($"a unique constraint on {table}: the migrations name every unique index"));
                }

                Only(!create.Definition.TableConstraints.Any(c => c is not UniqueConstraintDefinition) && create.Definition.Indexes.Count == 0,
                    statement, "a table constraint other than a primary key, or an inline index");
                break;
            case AlterTableAddTableElementStatement add:
                Only(add.Definition.TableConstraints.Count == 0 && add.Definition.Indexes.Count == 0, statement, "a constraint added to a table");
                AddColumns(result, Name(add.SchemaObjectName), add.Definition);
                break;
            case AlterTableDropTableElementStatement drop:
                foreach (var element in drop.AlterTableDropTableElements)
                {
                    Only(element.TableElementType == TableElementType.Column, statement, "a dropped element that is not a column");
                    schema.DropColumn(Name(drop.SchemaObjectName), element.Name.Value);
                }

                break;
            case CreateIndexStatement index:
                Only(index.Clustered is null && index.IncludeColumns.Count == 0, statement, "a clustered or covering index");
                schema.CreateIndex(index.Name.Value, new SchemaIndex(
                    Name(index.OnName),
                    [.. index.Columns.Select(c => Column(c.Column))],
                    index.Unique,
                    index.FilterPredicate is null ? null : MigrationSchema.NormalizeExpression(TransactSql.Text(index.FilterPredicate))));
                break;
            case DropIndexStatement drop:
                foreach (var clause in drop.DropIndexClauses)
                {
                    var named = clause as DropIndexClause ?? throw new InvalidOperationException($"an old-style DROP INDEX: {TransactSql.Text(statement)}");
                    schema.DropIndex(named.Index.Value, Name(named.Object));
                }

                break;
            case InsertStatement:
                // Rows, not schema: the seeds are compared on their own.
                break;
            default:
                throw new InvalidOperationException($"a T-SQL statement this reader does not know ({statement.GetType().Name}): {TransactSql.Text(statement)}");
        }
    }

    private static void AddColumns(TransactSqlSchema result, string table, TableDefinition definition)
    {
        foreach (var column in definition.ColumnDefinitions)
        {
            var name = column.ColumnIdentifier.Value;
            var constraints = column.Constraints;
            Only(constraints.All(c => c is NullableConstraintDefinition or UniqueConstraintDefinition { IsPrimaryKey: true }
                    or ForeignKeyConstraintDefinition or CheckConstraintDefinition),
                column, "a column constraint other than NULL, PRIMARY KEY, REFERENCES or CHECK");
            var primaryKey = constraints.OfType<UniqueConstraintDefinition>().Any();
            var foreignKey = constraints.OfType<ForeignKeyConstraintDefinition>().SingleOrDefault();
            var check = constraints.OfType<CheckConstraintDefinition>().SingleOrDefault();
            var nullable = constraints.OfType<NullableConstraintDefinition>().SingleOrDefault()?.Nullable;
            if (column.ComputedColumnExpression is { } computed)
            {
                Only(column.IsPersisted && nullable is null && column.DataType is null, column, "a computed column that is not persisted, or typed");
                result.Schema.AddColumn(table, name, new SchemaColumn("computed", Nullable: false, Computed: $"{TransactSql.Text(computed)} PERSISTED"));
                result.StoreTypes[(table, name)] = CastType(computed, column);
                continue;
            }

            Only(nullable is not null || primaryKey, column, "a column that leaves its nullability to the session's ANSI_NULL_DFLT setting");
            var type = StoreTypeOf(column);
            result.StoreTypes[(table, name)] = type;
            if (column.DefaultConstraint is { } defaultConstraint)
            {
                result.DefaultConstraintNames[(table, name)] = defaultConstraint.ConstraintIdentifier?.Value ?? "";
            }

            result.Schema.AddColumn(table, name, new SchemaColumn(
                Family(type.Name),
                Nullable: nullable ?? false,
                Identity: column.IdentityOptions is not null,
                References: foreignKey is null ? null : $"{Name(foreignKey.ReferenceTableName)}({string.Join(", ", foreignKey.ReferencedTableColumns.Select(c => c.Value))})",
                Default: column.DefaultConstraint?.Expression switch
                {
                    null => null,
                    StringLiteral literal => literal.Value,
                    var other => TransactSql.Text(other),
                },
                Check: check is null ? null : MigrationSchema.NormalizeExpression(TransactSql.Text(check.CheckCondition))));
            if (primaryKey)
            {
                result.Schema.SetPrimaryKey(table, [name]);
            }
        }
    }

    private static StoreType StoreTypeOf(ColumnDefinition column) =>
        column.DataType is SqlDataTypeReference type
            ? StoreTypeOf(type, column.Collation?.Value)
            : throw new InvalidOperationException($"column {column.ColumnIdentifier.Value} has no built-in type");

    private static StoreType CastType(ScalarExpression computed, ColumnDefinition column) =>
        computed is CastCall { DataType: SqlDataTypeReference type }
            ? StoreTypeOf(type, collation: null)
            : throw new InvalidOperationException($"computed column {column.ColumnIdentifier.Value} does not CAST to a fixed type, so its key size is unknown");

    private static StoreType StoreTypeOf(SqlDataTypeReference type, string? collation)
    {
        var parameter = type.Parameters.SingleOrDefault();
        return new StoreType(
            type.SqlDataTypeOption.ToString().ToLowerInvariant(),
            parameter is IntegerLiteral length ? int.Parse(length.Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            parameter is MaxLiteral,
            collation);
    }

    private static string Family(string storeType) => storeType switch
    {
        "nvarchar" => "text",
        "bigint" => "bigint",
        "int" => "int",
        "datetime2" => "timestamp",
        "date" => "date",
        "varbinary" => "bytes",
        "bit" => "bool",
        _ => throw new InvalidOperationException($"a SQL Server type the migrations do not use: {storeType}"),
    };

    private static string Name(SchemaObjectName name)
    {
        Only(name.SchemaIdentifier is null && name.DatabaseIdentifier is null, name, "a name with a schema or database: the migrations use the default schema");
        return name.BaseIdentifier.Value;
    }

    private static string Column(ColumnReferenceExpression column) => column.MultiPartIdentifier.Identifiers[^1].Value;

    private static void Only(bool expected, TSqlFragment fragment, string what)
    {
        if (!expected)
        {
            throw new InvalidOperationException($"{what}, which this reader does not know: {TransactSql.Text(fragment)}");
        }
    }
}
