using System.Text.RegularExpressions;
using FlagApi.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace FlagApi.Tests.SqlServer;

/// <summary>
/// SQL Server's migrations, checked without a SQL Server: each batch parses under the grammar of SQL Server 2019 and 2022,
/// and the schema they leave, read from the parser's syntax tree, is PostgreSQL's but for the differences the scripts
/// document (identifier values hashed for their indexes). The EF model maps onto it and the seeds are every provider's.
/// </summary>
public sealed partial class SqlServerMigrationScriptTests
{
    private const string ValueHash = "CAST(HASHBYTES('SHA2_256', value) AS binary(32)) PERSISTED";

    // SQL Server's limits on an index key: 900 bytes for a clustered one (every primary key here), 1,700 for a nonclustered one.
    private const int ClusteredKeyBytes = 900;
    private const int NonclusteredKeyBytes = 1700;

    /// <summary>The tables with an index PostgreSQL keys on an identifier value: on SQL Server those are keyed on value_hash.</summary>
    private static readonly string[] HashedTables = ["entries", "protected_identifiers", "protection_overrides", "appeals", "reports", "watches"];

    /// <summary>Every column that holds an identifier value (a canonical form can reach 4,096 characters).</summary>
    private static readonly (string Table, string Column)[] IdentifierValues =
    [
        ("entries", "value"), ("change_log", "value"), ("protected_identifiers", "value"), ("protection_overrides", "value"),
        ("appeals", "value"), ("reports", "value"), ("watches", "value"),
    ];

    private static readonly Lazy<TransactSqlSchema> SqlServerSchema =
        new(() => TransactSqlSchemaReader.Read(SchemaMigrator.All(DatabaseProvider.SqlServer).Select(m => m.Sql)));

    private static readonly Lazy<MigrationSchema> PostgresSchema =
        new(() => PostgresSchemaReader.Read(SchemaMigrator.All(DatabaseProvider.Postgres).Select(m => m.Sql)));

    public static TheoryData<string, string> ScriptsAndVersions =>
    [
        .. SchemaMigrator.All(DatabaseProvider.SqlServer).SelectMany(m => TransactSql.Versions.Select(v => (m.Name, (string)v.Data))),
    ];

    [Theory]
    [MemberData(nameof(ScriptsAndVersions))]
    public void EveryBatchOfEveryScriptParsesOnSqlServer(string name, string version)
    {
        var script = SchemaMigrator.All(DatabaseProvider.SqlServer).Single(m => m.Name == name).Sql;

        Assert.NotEmpty(SchemaMigrator.Batches(script));
        Assert.Empty(TransactSql.Errors(version, script));
    }

    [Theory]
    [MemberData(nameof(TransactSql.Versions), MemberType = typeof(TransactSql))]
    public void TheParseCheckRefusesWhatIsNotTransactSql(string version)
    {
        // PostgreSQL's identity columns and a VALUES list in a common table expression, both of which T-SQL lacks.
        var postgres = SchemaMigrator.All(DatabaseProvider.Postgres);

        Assert.NotEmpty(TransactSql.Errors(version, postgres.Single(m => m.Name == "0001_initial").Sql));
        Assert.NotEmpty(TransactSql.Errors(version, postgres.Single(m => m.Name == "0009_identifier_rules").Sql));
        Assert.NotEmpty(TransactSql.Errors(version, "CREATE TABLE t (id bigint NOT NULL PRIMARY KEY);\nGO\nCREATE INDEX ix_t ON t (id"));
        Assert.Throws<InvalidOperationException>(() => TransactSql.Batches("CREATE TABLE t (id bigint NOT NULL PRIMARY KEY;"));
    }

    [Fact]
    public void SqlServerHasTheMigrationsOfTheOtherProvidersUnderTheSameVersionsAndNames()
    {
        var sqlServer = SchemaMigrator.All(DatabaseProvider.SqlServer).Select(m => (m.Version, m.Name)).ToList();

        Assert.Equal(Enumerable.Range(1, sqlServer.Count), sqlServer.Select(m => m.Version));
        Assert.Equal(SchemaMigrator.All(DatabaseProvider.Postgres).Select(m => (m.Version, m.Name)), sqlServer);
        Assert.Equal(SchemaMigrator.All(DatabaseProvider.Sqlite).Select(m => (m.Version, m.Name)), sqlServer);
    }

    [Fact]
    public void TheSchemaIsPostgresqlsWithIdentifierValuesHashedForTheirIndexes()
    {
        Assert.Equal(AsOnSqlServer(PostgresSchema.Value).Describe(), SqlServerSchema.Value.Schema.Describe());
    }

    [Fact]
    public void ReportTimesIsAnIntAsTheModelReadsIt()
    {
        // The one column typed apart from PostgreSQL: SqlClient reads no bigint into the model's int.
        Assert.Equal("bigint", PostgresSchema.Value.Tables["reports"]["times"].Type);
        Assert.Equal("int", SqlServerSchema.Value.Schema.Tables["reports"]["times"].Type);
    }

    [Fact]
    public void ValueHashIsTheOnlyColumnAndKeyThatPostgresqlLacks()
    {
        var postgres = PostgresSchema.Value;
        var sqlServer = SqlServerSchema.Value;

        var hashed = sqlServer.Schema.Tables.Where(t => t.Value.ContainsKey("value_hash")).Select(t => t.Key).Order(StringComparer.Ordinal);
        Assert.Equal(HashedTables.Order(StringComparer.Ordinal), hashed);
        Assert.All(HashedTables, table =>
        {
            Assert.Equal(ValueHash, sqlServer.Schema.Tables[table]["value_hash"].Computed);
            Assert.False(postgres.Tables[table].ContainsKey("value_hash"));
        });
        Assert.All(IdentifierValues, c => Assert.Equal("nvarchar(max) COLLATE Latin1_General_100_BIN2", sqlServer.StoreTypes[c].ToString()));

        // Each index PostgreSQL keys on value is keyed on value_hash in the same place, and is otherwise the same.
        var valueKeyed = postgres.Indexes.Where(i => i.Value.Columns.Contains("value")).ToList();
        Assert.Equal(11, valueKeyed.Count);
        Assert.All(valueKeyed, index =>
        {
            var onSqlServer = sqlServer.Schema.Indexes[index.Key];
            Assert.Equal(index.Value.Columns.Select(c => c == "value" ? "value_hash" : c), onSqlServer.Columns);
            Assert.Equal(index.Value with { Columns = onSqlServer.Columns }, onSqlServer);
        });
        Assert.DoesNotContain(sqlServer.Schema.Indexes, i => i.Value.Columns.Contains("value"));
    }

    [Fact]
    public void TheComparisonNoticesAnIndexAColumnOrAFilterThatDiffers()
    {
        var scripts = SchemaMigrator.All(DatabaseProvider.SqlServer).Select(m => m.Sql).ToList();
        var expected = AsOnSqlServer(PostgresSchema.Value).Describe();

        string[] changed =
        [
            .. scripts.Select(s => s.Replace("CREATE INDEX ix_reports_last_at ON reports (last_at);", "", StringComparison.Ordinal)),
        ];
        Assert.NotEqual(expected, TransactSqlSchemaReader.Read(changed).Schema.Describe());
        changed = [.. scripts.Select(s => s.Replace("    sent_at datetime2(7) NULL\n", "    sent_at datetime2(7) NOT NULL\n", StringComparison.Ordinal))];
        Assert.NotEqual(expected, TransactSqlSchemaReader.Read(changed).Schema.Describe());
        changed = [.. scripts.Select(s => s.Replace("WHERE status <> N'ended'", "WHERE status <> N'open'", StringComparison.Ordinal))];
        Assert.NotEqual(expected, TransactSqlSchemaReader.Read(changed).Schema.Describe());
        changed = [.. scripts.Select(s => s.Replace("ON watches (kind, value_hash);", "ON watches (kind, value);", StringComparison.Ordinal))];
        Assert.NotEqual(expected, TransactSqlSchemaReader.Read(changed).Schema.Describe());
    }

    [Fact]
    public void EveryTextColumnComparesByCodeUnitAndEveryTimeIsADatetime2OfFullPrecision()
    {
        var types = SqlServerSchema.Value.StoreTypes;

        Assert.All(types.Where(t => t.Value.Name == "nvarchar"), t => Assert.Equal("Latin1_General_100_BIN2", t.Value.Collation));
        Assert.All(types.Where(t => t.Value.Name == "nvarchar" && !t.Value.IsMax), t => Assert.Contains(t.Value.Length, new int?[] { 64, 128, 400 }));
        Assert.All(types.Where(t => t.Value.Name == "datetime2"), t => Assert.Equal(7, t.Value.Length));
        Assert.DoesNotContain(types, t => t.Value.Name is "varchar" or "char" or "nchar" or "text" or "ntext" or "datetime" or "datetimeoffset");
    }

    [Fact]
    public void EveryIndexKeyFitsSqlServersLimits()
    {
        var sqlServer = SqlServerSchema.Value;

        var keys = sqlServer.Schema.Indexes.Select(i => (Name: i.Key, i.Value.Table, i.Value.Columns, Limit: NonclusteredKeyBytes))
            .Concat(sqlServer.Schema.PrimaryKeys.Select(p => (Name: $"primary key of {p.Key}", Table: p.Key, Columns: p.Value, Limit: ClusteredKeyBytes)));
        Assert.All(keys, key =>
        {
            var bytes = key.Columns.Select(c => sqlServer.StoreTypes[(key.Table, c)].KeyBytes).ToList();
            Assert.DoesNotContain(null, bytes);
            Assert.True(bytes.Sum() <= key.Limit, $"{key.Name}: a key of up to {bytes.Sum()} bytes, over SQL Server's {key.Limit}");
        });
    }

    [Fact]
    public void EveryColumnAddedNotNullHasANamedDefault()
    {
        var sqlServer = SqlServerSchema.Value;

        var added = new Dictionary<(string, string), string> { [("appeals", "language")] = "DF_appeals_language" };
        Assert.Equal(added, sqlServer.DefaultConstraintNames);
        Assert.Equal("zh", sqlServer.Schema.Tables["appeals"]["language"].Default);
        Assert.False(sqlServer.Schema.Tables["appeals"]["language"].Nullable);
    }

    [Fact]
    public void NoBatchUsesAColumnItAddsToATable()
    {
        foreach (var migration in SchemaMigrator.All(DatabaseProvider.SqlServer))
        {
            Assert.Empty(ColumnsUsedInTheBatchThatAddsThem(migration.Sql));
        }

        // Without the GO, a statement reading the new column would not compile: the check sees it.
        const string WithoutGo = "ALTER TABLE appeals ADD language nvarchar(64) NULL;\nUPDATE appeals SET language = N'zh';\n";
        Assert.Equal(["appeals.language"], ColumnsUsedInTheBatchThatAddsThem(WithoutGo));
        Assert.Empty(ColumnsUsedInTheBatchThatAddsThem(WithoutGo.Replace(";\nUPDATE", ";\nGO\nUPDATE", StringComparison.Ordinal)));
        Assert.Equal(["lists.notice_reason"], ColumnsUsedInTheBatchThatAddsThem(
            "ALTER TABLE lists ADD notice_reason nvarchar(max) NULL;\nCREATE INDEX ix_lists_notice ON lists (agency, notice_reason);\n"));
    }

    [Fact]
    public void EveryColumnTheModelMapsExistsWithTheTypeTheModelWrites()
    {
        var sqlServer = SqlServerSchema.Value;
        using var db = new FlagDbContext(new DbContextOptionsBuilder<FlagDbContext>().UseSqlServer("Server=127.0.0.1,1;Database=x;Encrypt=false").Options);

        var entityTypes = db.Model.GetEntityTypes().ToList();
        Assert.Equal(17, entityTypes.Count);
        Assert.All(entityTypes, entity =>
        {
            var table = entity.GetTableName()!;
            Assert.True(sqlServer.Schema.Tables.TryGetValue(table, out var columns), $"no table {table} for {entity.ClrType.Name}");
            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            Assert.All(entity.GetProperties(), property =>
            {
                var column = property.GetColumnName(store)!;
                Assert.True(columns.TryGetValue(column, out var declared), $"no column {table}.{column} for {entity.ClrType.Name}.{property.Name}");
                var type = sqlServer.StoreTypes[(table, column)];
                var written = property.GetTypeMapping().Converter?.ProviderClrType ?? property.ClrType;
                written = Nullable.GetUnderlyingType(written) ?? written;
                // value_hash is the server's (a persisted computed column), mapped so that queries can compare it.
                Assert.Equal(property.GetComputedColumnSql() is null ? SqlServerTypeFor(written) : "binary", type.Name);
                Assert.True(property.GetComputedColumnSql() is null || (column == "value_hash" && property.IsShadowProperty()),
                    $"{table}.{column} is computed in the model but is not the value's hash");
                Assert.Equal(type.Name, property.GetColumnType().Split('(')[0]);
                Assert.True(declared.Nullable == property.IsNullable, $"{table}.{column} is {(declared.Nullable ? "NULL" : "NOT NULL")}, its property {(property.IsNullable ? "" : "not ")}nullable");
            });
        });
    }

    [Fact]
    public void EveryProviderSeedsTheSameIdentifierRules()
    {
        var sqlServer = SeededIdentifierRules(DatabaseProvider.SqlServer);

        Assert.Equal(["phone", "url", "domain", "app", "account"], sqlServer);
        Assert.Equal(SeededIdentifierRules(DatabaseProvider.Postgres), sqlServer);
        Assert.Equal(SeededIdentifierRules(DatabaseProvider.Sqlite), sqlServer);
    }

    [Fact]
    public void SqlServerSeedsTheWholeStartingAllowlistAsUnicode()
    {
        var script = Regex.Replace(SchemaMigrator.All(DatabaseProvider.SqlServer).Single(m => m.Name == "0004_starting_allowlist").Sql, "--[^\n]*", "");

        // A literal without N is converted to the database's code page, where 招商银行 may become ????. Four a row, and N'seed'.
        Assert.Equal((StartingAllowlist.Seed(DatabaseProvider.SqlServer).Count * 4) + 1, Regex.Count(script, @"N'(?:[^']|'')*'"));
        Assert.DoesNotContain("'", Regex.Replace(script, @"N'(?:[^']|'')*'", ""));
    }

    /// <summary>What PostgreSQL's schema becomes under the documented differences: each identifier value an index keys on is
    /// hashed into value_hash, and the index keyed on that; reports.times is an int.</summary>
    private static MigrationSchema AsOnSqlServer(MigrationSchema postgres)
    {
        var expected = new MigrationSchema();
        foreach (var (table, columns) in postgres.Tables)
        {
            expected.CreateTable(table);
            foreach (var (column, definition) in columns)
            {
                expected.AddColumn(table, column, (table, column) == ("reports", "times") ? definition with { Type = "int" } : definition);
            }

            if (postgres.Indexes.Values.Any(i => i.Table == table && i.Columns.Contains("value")))
            {
                expected.AddColumn(table, "value_hash", new SchemaColumn("computed", Nullable: false, Computed: ValueHash));
            }
        }

        foreach (var (table, key) in postgres.PrimaryKeys)
        {
            expected.SetPrimaryKey(table, key);
        }

        foreach (var (name, index) in postgres.Indexes)
        {
            expected.CreateIndex(name, index with { Columns = [.. index.Columns.Select(c => c == "value" ? "value_hash" : c)] });
        }

        return expected;
    }

    /// <summary>The columns a batch adds to a table and then uses (in an index on that table, or a statement naming it).</summary>
    private static List<string> ColumnsUsedInTheBatchThatAddsThem(string script)
    {
        var used = new List<string>();
        foreach (var batch in TransactSql.Batches(script))
        {
            var added = new HashSet<(string Table, string Column)>();
            foreach (var statement in batch)
            {
                if (statement is AlterTableAddTableElementStatement add)
                {
                    var table = add.SchemaObjectName.BaseIdentifier.Value;
                    added.UnionWith(add.Definition.ColumnDefinitions.Select(c => (table, c.ColumnIdentifier.Value)));
                    continue;
                }

                var references = new ReferenceCollector();
                statement.Accept(references);
                used.AddRange(added.Where(a => references.Tables.Contains(a.Table) && references.Columns.Contains(a.Column)).Select(a => $"{a.Table}.{a.Column}"));
            }
        }

        return used;
    }

    private static string SqlServerTypeFor(Type written) =>
        written == typeof(string) ? "nvarchar"
        : written == typeof(DateTime) ? "datetime2"
        : written == typeof(byte[]) ? "varbinary"
        : written == typeof(long) ? "bigint"
        : written == typeof(int) ? "int"
        : written == typeof(DateOnly) ? "date"
        : written == typeof(bool) ? "bit"
        : throw new InvalidOperationException($"the model writes a {written.Name}, which no migration declares");

    private static IReadOnlyList<string> SeededIdentifierRules(DatabaseProvider provider)
    {
        var script = SchemaMigrator.All(provider).Single(m => m.Name == "0009_identifier_rules").Sql;
        var insert = IdentifierRuleInsert().Match(Regex.Replace(script, "--[^\n]*", ""));
        Assert.True(insert.Success, $"{provider}'s 0009 seeds no identifier rules at version 1");
        return [.. IdentifierRuleKind().Matches(script).Select(m => m.Groups["kind"].Value)];
    }

    [GeneratedRegex(@"INSERT INTO identifier_rules \(kind, version, changed_at\)\s+SELECT (?:kinds\.)?kind, 1, ")]
    private static partial Regex IdentifierRuleInsert();

    [GeneratedRegex(@"\(N?'(?<kind>[a-z]+)'\)")]
    private static partial Regex IdentifierRuleKind();

    private sealed class ReferenceCollector : TSqlFragmentVisitor
    {
        public HashSet<string> Tables { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Columns { get; } = new(StringComparer.Ordinal);

        public override void Visit(SchemaObjectName node) => Tables.Add(node.BaseIdentifier.Value);

        public override void Visit(ColumnReferenceExpression node)
        {
            if (node.MultiPartIdentifier is { } name)
            {
                Columns.Add(name.Identifiers[^1].Value);
            }
        }
    }
}
