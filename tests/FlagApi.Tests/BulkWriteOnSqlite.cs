using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class BulkWriteOnSqlite() : BulkWriteTests(new SqliteTarget());
