using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class AppellantAppealsOnSqlite() : AppellantAppealsTests(new SqliteTarget());
