using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class EntriesApiOnSqlite() : EntriesApiTests(new SqliteTarget());
