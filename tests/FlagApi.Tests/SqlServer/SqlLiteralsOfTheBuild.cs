using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace FlagApi.Tests.SqlServer;

/// <summary>
/// Every string literal of the service's assembly that begins like a SQL statement, read from the compiled assembly's
/// user-string heap: whatever a change adds to the code, it is here without anyone listing it.
/// </summary>
public static partial class SqlLiteralsOfTheBuild
{
    public static IReadOnlyList<string> All()
    {
        var path = typeof(FlagApi.Data.FlagDbContext).Assembly.Location;
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var literals = new List<string>();
        for (var handle = MetadataTokens.UserStringHandle(1); !handle.IsNil; handle = metadata.GetNextHandle(handle))
        {
            var text = metadata.GetUserString(handle);
            if (StatementStart().IsMatch(text))
            {
                literals.Add(text);
            }
        }

        return literals;
    }

    [GeneratedRegex(@"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|DECLARE|IF|MERGE|PRAGMA|LISTEN|NOTIFY|EXEC|BEGIN|SET|DBCC|VACUUM|ANALYZE|COPY|TRUNCATE)\s")]
    private static partial Regex StatementStart();
}
