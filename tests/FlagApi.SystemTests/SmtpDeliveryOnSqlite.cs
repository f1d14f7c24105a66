using FlagApi.Tests.Infrastructure;

namespace FlagApi.Tests;

/// <summary>Here rather than in the fast tests on SQLite: these start a mail server, a child process.</summary>
public sealed class SmtpDeliveryOnSqlite() : SmtpDeliveryTests(new SqliteTarget());
