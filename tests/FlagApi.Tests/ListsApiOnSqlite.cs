using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ListsApiOnSqlite() : ListsApiTests(new SqliteTarget());
