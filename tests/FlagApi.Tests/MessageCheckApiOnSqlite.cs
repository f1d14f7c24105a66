using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

public sealed class MessageCheckApiOnSqlite() : MessageCheckApiTests(new SqliteTarget());
