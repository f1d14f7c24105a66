// Every test here takes seconds to minutes (PostgreSQL, Chromium, service processes, load, long fuzzing): the trait keeps
// `dotnet test --filter 'Speed!=Slow'` on the whole solution the quick check, as it was before the split.
[assembly: Trait("Speed", "Slow")]
