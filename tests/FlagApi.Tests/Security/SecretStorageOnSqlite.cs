using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests.Security;

public sealed class SecretStorageOnSqlite() : SecretStorageTests(new SqliteTarget());
