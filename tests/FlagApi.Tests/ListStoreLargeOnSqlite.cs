using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ListStoreLargeOnSqlite() : ListStoreLargeTests(new SqliteTarget());
