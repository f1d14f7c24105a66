using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Query.SqlExpressions;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlagApi.Data;

/// <summary>
/// On SQL Server an identifier value is nvarchar(max), longer than an index key may be, so the tables that are searched by
/// value index a persisted hash of it, <c>value_hash</c> (Data/Migrations/SqlServer). A query that says only
/// <c>value = @v</c> cannot use that index and reads the whole table; this rewrite adds <c>value_hash = HASHBYTES(…, @v)</c>
/// beside every such comparison in the service's EF Core queries, so each finds its rows through the index. The value is
/// still compared, so a hash collision could never match another value. Nothing changes on SQLite or PostgreSQL.
/// </summary>
public sealed class SqlServerValueHashes : IQueryExpressionInterceptor
{
    public static readonly SqlServerValueHashes Instance = new();

    /// <summary>The shadow property that maps <c>value_hash</c> in SQL Server's model.</summary>
    public const string Property = "ValueHash";

    private const string ValueName = "Value";

    /// <summary>The entities whose table has a <c>value_hash</c> column (every one searched by identifier value).</summary>
    internal static readonly IReadOnlySet<Type> Hashed = new HashSet<Type>
    {
        typeof(Entry), typeof(Appeal), typeof(Report), typeof(ProtectedIdentifier), typeof(ProtectionOverride), typeof(Watch),
    };

    private static readonly MethodInfo Sha256Method = typeof(SqlServerValueHashes).GetMethod(nameof(Sha256))!;

    private static readonly MethodInfo PropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!.MakeGenericMethod(typeof(byte[]));

    private SqlServerValueHashes()
    {
    }

    /// <summary>SHA-256 of a value's UTF-16 text, as <c>value_hash</c> holds it; translated to HASHBYTES, never run here.</summary>
    public static byte[] Sha256(string value) => throw new NotSupportedException("Sha256 is translated to SQL Server's HASHBYTES in a query.");

    /// <summary>Maps <c>value_hash</c> and the HASHBYTES function in SQL Server's model.</summary>
    internal static void Configure(ModelBuilder modelBuilder)
    {
        foreach (var type in Hashed)
        {
            // Computed by the server from value (a persisted computed column): EF Core never writes it.
            modelBuilder.Entity(type).Property<byte[]>(Property)
                .HasColumnName("value_hash")
                .HasColumnType("binary(32)")
                .IsRequired()
                .HasComputedColumnSql("CAST(HASHBYTES('SHA2_256', [value]) AS binary(32))", stored: true);
        }

        // CONVERT(binary(32), HASHBYTES('SHA2_256', value)): the column's own type, so that comparing it converts nothing
        // on the column's side and the index can be sought.
        var hash = new ByteArrayTypeMapping("binary(32)", System.Data.DbType.Binary, size: 32);
        modelBuilder.HasDbFunction(Sha256Method).HasTranslation(arguments => new SqlFunctionExpression(
            "CONVERT",
            [
                new SqlFragmentExpression("binary(32)", typeof(byte[]), hash),
                new SqlFunctionExpression(
                    "HASHBYTES",
                    [new SqlFragmentExpression("'SHA2_256'", typeof(string), new StringTypeMapping("varchar(8)", System.Data.DbType.AnsiString)), arguments[0]],
                    nullable: true,
                    argumentsPropagateNullability: [false, true],
                    typeof(byte[]),
                    new ByteArrayTypeMapping("varbinary(8000)", System.Data.DbType.Binary, size: 8000)),
            ],
            nullable: true,
            argumentsPropagateNullability: [false, true],
            typeof(byte[]),
            hash));
    }

    /// <summary>The query with a hash comparison beside each comparison of a hashed entity's value.</summary>
    public static Expression Rewrite(Expression query) => new Rewriter().Visit(query);

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData) => Rewrite(queryExpression);

    private sealed class Rewriter : ExpressionVisitor
    {
        protected override Expression VisitBinary(BinaryExpression node)
        {
            var visited = base.VisitBinary(node);
            return visited is BinaryExpression { NodeType: ExpressionType.Equal } equal
                && (HashOf(equal.Left, equal.Right) ?? HashOf(equal.Right, equal.Left)) is { } hash
                ? Expression.AndAlso(equal, hash)
                : visited;
        }

        private static BinaryExpression? HashOf(Expression side, Expression other) =>
            side is MemberExpression { Member.Name: ValueName, Expression: ParameterExpression entity } member
            && Hashed.Contains(entity.Type) && member.Type == typeof(string) && other.Type == typeof(string)
                ? Expression.Equal(Expression.Call(PropertyMethod, entity, Expression.Constant(Property)), Expression.Call(Sha256Method, other))
                : null;
    }
}
