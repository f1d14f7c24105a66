using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ImportCommandOnSqlite() : ImportCommandTests(new SqliteTarget());
