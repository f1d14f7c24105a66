using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class LookupApiOnSqlite() : LookupApiTests(new SqliteTarget());
