using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class ListStoreOnSqlite() : ListStoreTests(new SqliteTarget());
