using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FlagApi.Tests.Fuzzing;

/// <summary>One operation of the OpenAPI document.</summary>
internal sealed record Operation(string Method, string Template, string Id, JsonElement Definition);

/// <summary>What the application holds before the run, so path parameters and keys are sometimes real.</summary>
internal sealed record FuzzFixtures(
    IReadOnlyDictionary<string, string> KeysByRole,
    string RevokedKey,
    IReadOnlyList<long> OwnKeyIds,
    IReadOnlyList<long> ListIds,
    IReadOnlyList<long> EntryIds,
    IReadOnlyList<long> AppealIds,
    IReadOnlyList<long> AttachmentIds,
    IReadOnlyList<long> ReportIds,
    IReadOnlyList<long> ProtectedIds,
    string TrackingCode,
    string AppealToken,
    IReadOnlyList<(string Kind, string Value)> Flagged);

/// <summary>A generated request, and whether it was built so that it must be refused (and why).</summary>
internal sealed record FuzzRequest(
    Operation Operation, string PathAndQuery, IReadOnlyList<(string Name, string Value)> Headers, byte[]? Body, string? ContentType, string? Fault)
{
    public bool BuiltToBeRefused => Fault is not null;

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Operation.Method), PathAndQuery);
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        return message;
    }

    /// <summary>The request as a person replaying it needs it: method, target, headers and the start of the body.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(Operation.Method).Append(' ').Append(Shorten(PathAndQuery, 2000)).Append(" (").Append(Operation.Id).Append(')');
        foreach (var (name, value) in Headers)
        {
            text.Append("\n  ").Append(name).Append(": ").Append(Escape(Shorten(value, 300)));
        }

        if (ContentType is not null)
        {
            text.Append("\n  Content-Type: ").Append(Escape(ContentType));
        }

        if (Body is not null)
        {
            text.Append("\n  body (").Append(Body.Length).Append(" bytes): ")
                .Append(Escape(Encoding.Latin1.GetString(Body, 0, Math.Min(Body.Length, 3000))));
        }

        text.Append("\n  built to be refused: ").Append(Fault ?? "no");
        return text.ToString();
    }

    private static string Shorten(string text, int length) => text.Length <= length ? text : text[..length] + $"… ({text.Length} chars)";

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            escaped.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return escaped.ToString();
    }
}

/// <summary>
/// Generates hostile requests for every operation of the OpenAPI document from its parameters and body schemas,
/// with what each operation needs to reach its code (a key of some role, real ids) drawn from the fixtures.
/// </summary>
internal sealed class RequestGenerator(JsonDocument document, FuzzFixtures fixtures, HostileValues values)
{
    private static readonly string[] Categories =
        ["task_brushing", "loan_or_card", "impersonating_authorities", "investment_romance", "impersonating_acquaintance", "fake_customer_service", "fake_credit_repair", "gambling", "remote_control_app", "other"];

    private static readonly string[] Words =
        ["approve", "reject", "accept", "low", "medium", "high", "active", "cleared", "retracted", "expired", "submitted", "in_review", "needs_info", "withdrawn",
         "callback", "carrier_real_name", "in_person_id", "platform_confirmation", "other", "app", "publisher", "reviewer", "admin", "partial", "all", "text", "link",
         "true", "false", "standard", "partner", "Test police"];

    private readonly Random random = values.Random;

    public static IReadOnlyList<Operation> Operations(JsonDocument document)
    {
        var operations = new List<Operation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var id = operation.Value.TryGetProperty("operationId", out var named) ? named.GetString()! : $"{operation.Name} {path.Name}";
                operations.Add(new Operation(operation.Name.ToUpperInvariant(), path.Name, id, operation.Value));
            }
        }

        return operations;
    }

    public FuzzRequest Next(Operation operation)
    {
        values.MayBeHuge = values.Chance(0.01);
        string? fault = null;
        var path = ExpandPath(operation, ref fault);
        var query = BuildQuery(operation);
        var headers = BuildHeaders(operation);

        byte[]? body = null;
        string? contentType = null;
        if (operation.Definition.TryGetProperty("requestBody", out var requestBody))
        {
            (body, contentType, var bodyFault) = BuildBody(operation, requestBody);
            fault ??= bodyFault;
        }
        else if (values.Chance(0.05))
        {
            // A body where none belongs is ignored or refused, never a crash.
            body = Encoding.UTF8.GetBytes(JsonText.Write(new Dictionary<string, object?> { ["x"] = values.Text() }));
            contentType = "application/json";
        }

        return new FuzzRequest(operation, path + query, headers, body, contentType, fault);
    }

    private string ExpandPath(Operation operation, ref string? fault)
    {
        var path = operation.Template;
        foreach (var parameter in Parameters(operation, "path"))
        {
            var name = parameter.GetProperty("name").GetString()!;
            var (value, broken) = PathValue(operation, name);
            if (broken)
            {
                fault ??= $"path parameter {name} is not valid";
            }

            // A NUL in a path is refused by the server itself (Kestrel's 400), before the application sees the request.
            path = path.Replace("{" + name + "}", PercentEncode(value.Replace("\0", "", StringComparison.Ordinal)), StringComparison.Ordinal);
        }

        return path;
    }

    /// <summary>A value for a path parameter, and whether it can only be refused (not a number where a number belongs).</summary>
    private (string Value, bool Broken) PathValue(Operation operation, string name)
    {
        if (name == "kind")
        {
            return (values.Kind(), false);
        }

        if (name == "prefix")
        {
            return (values.Random.Next(4) switch
            {
                0 => values.Random.Next(0, 0x100000).ToString("x5", CultureInfo.InvariantCulture),
                1 => values.Random.Next(0, 0x100000).ToString("X5", CultureInfo.InvariantCulture),
                2 => values.Pick(["abcd", "abcdef", "ghijk", "00000", "fffff", "-1234", "１２３４５"]),
                _ => values.Text(),
            }, false);
        }

        if (name == "trackingCode")
        {
            return (values.Random.Next(3) switch
            {
                0 => fixtures.TrackingCode,
                1 => "AP" + values.Text(),
                _ => "ap-" + values.Random.NextInt64().ToString(CultureInfo.InvariantCulture),
            }, false);
        }

        if (name == "appeal")
        {
            return (values.Random.Next(4) switch
            {
                0 => fixtures.TrackingCode,
                1 => values.Pick(fixtures.AppealIds).ToString(CultureInfo.InvariantCulture),
                2 => "AP" + values.Text(),
                _ => values.Text(),
            }, false);
        }

        // Numeric ids: real ones half the time, else the edges of long and text that is no number.
        var real = name == "attachmentId" ? fixtures.AttachmentIds : RealIds(operation);
        var roll = values.Random.NextDouble();
        if (roll < 0.5 && real.Count > 0)
        {
            return (values.Pick(real).ToString(CultureInfo.InvariantCulture), false);
        }

        if (roll < 0.75)
        {
            return (values.Pick(["0", "-1", "9223372036854775807", "-9223372036854775808", "123456789"]), false);
        }

        return (values.Pick(["99999999999999999999", "abc", "1.5", "1e3", "0x10", "１２", "1;DROP TABLE entries", "%00", "1%2F2", "1 1", "NaN"]), true);
    }

    private IReadOnlyList<long> RealIds(Operation operation) => operation.Template switch
    {
        var t when t.StartsWith("/v1/batches", StringComparison.Ordinal) => fixtures.ListIds,
        var t when t.StartsWith("/v1/entries", StringComparison.Ordinal) => fixtures.EntryIds,
        var t when t.StartsWith("/v1/appeals", StringComparison.Ordinal) => fixtures.AppealIds,
        var t when t.StartsWith("/v1/reports", StringComparison.Ordinal) => fixtures.ReportIds,
        var t when t.StartsWith("/v1/protected", StringComparison.Ordinal) => fixtures.ProtectedIds,

        // The run's own keys stay usable: revoking one would turn every later request into a 401.
        var t when t.StartsWith("/v1/keys", StringComparison.Ordinal) => [],
        _ => [],
    };

    private string BuildQuery(Operation operation)
    {
        var pairs = new List<string>();
        foreach (var parameter in Parameters(operation, "query"))
        {
            if (!values.Chance(0.6))
            {
                continue;
            }

            var name = parameter.GetProperty("name").GetString()!;
            pairs.Add(PercentEncode(name) + "=" + PercentEncode(QueryValue(name)));
            if (values.Chance(0.03))
            {
                pairs.Add(PercentEncode(name) + "=" + PercentEncode(QueryValue(name)));
            }
        }

        if (values.Chance(0.05))
        {
            pairs.Add(PercentEncode(values.Text()) + "=" + PercentEncode(values.Text()));
        }

        if (values.Chance(0.03))
        {
            // Percent-escapes of bytes that are no UTF-8, and a broken escape.
            pairs.Add("value=%FF%FE%C0%80%ED%A0%80%" + values.Pick(["", "G", "2"]));
        }

        return pairs.Count == 0 ? "" : "?" + string.Join('&', pairs);
    }

    private string QueryValue(string name) => name switch
    {
        // A long poll waits that many seconds; a hostile run must not sit in them.
        "wait" => values.Pick(["0", "-1", "abc", "1e3", "99999999999999999999", "0.5", "", "０"]),
        "value" or "q" => values.Chance(0.5) ? values.Pick(fixtures.Flagged).Value : values.Text(),
        "kind" => values.Kind(),
        "category" => values.Chance(0.5) ? values.Pick(Categories) : values.Text(),
        "since" or "after" or "limit" or "page" or "pageSize" or "listId" or "maxAgeHours" or "minAgeHours" =>
            values.Pick(["0", "1", "-1", "100", "1000000", "9223372036854775807", "99999999999999999999", "1.5", "abc", "", values.Text()]),
        _ => values.Chance(0.4) ? values.Pick(Words) : values.Text(),
    };

    private List<(string, string)> BuildHeaders(Operation operation)
    {
        var headers = new List<(string, string)>();
        var roll = values.Random.NextDouble();
        if (roll < 0.55)
        {
            headers.Add(("X-Api-Key", values.Pick(fixtures.KeysByRole.Values.ToList())));
        }
        else if (roll < 0.65)
        {
            headers.Add(("X-Api-Key", fixtures.RevokedKey));
        }
        else if (roll < 0.8)
        {
            headers.Add(("X-Api-Key", HeaderText()));
        }

        foreach (var parameter in Parameters(operation, "header"))
        {
            var name = parameter.GetProperty("name").GetString()!;
            if (name == "X-Appeal-Token" && values.Chance(0.4))
            {
                headers.Add((name, fixtures.AppealToken));
            }
            else if (values.Chance(0.6))
            {
                headers.Add((name, name == "Add-Padding" ? values.Pick(["true", "false", "1", "yes", HeaderText()]) : HeaderText()));
            }
        }

        if (operation.Method == "POST" && values.Chance(0.3))
        {
            headers.Add(("If-Match", values.Pick(["*", "\"1\"", "W/\"1\"", "\"\"", "\"9223372036854775808\"", "1", HeaderText()])));
        }

        if (values.Chance(0.05))
        {
            headers.Add((values.Pick(["Accept", "Accept-Encoding", "If-None-Match", "Origin", "X-Forwarded-For"]), HeaderText()));
        }

        return headers;
    }

    /// <summary>
    /// Header text: HTTP carries bytes, which servers read as Latin-1, so characters U+0080–U+00FF are how bytes that
    /// are no UTF-8 arrive; line breaks cannot be sent at all.
    /// </summary>
    private string HeaderText()
    {
        var builder = new StringBuilder();
        var length = values.MayBeHuge && values.Chance(0.5) ? 16_000 : values.Random.Next(0, 80);
        for (var i = 0; i < length; i++)
        {
            builder.Append(values.Random.Next(4) switch
            {
                0 => (char)values.Random.Next(0x80, 0x100),
                1 => values.Pick(["fa_", "'", "\"", ";", ",", " ", "\t", "=", "*", "..", "<script>", "%00", "%FF"]),
                _ => (char)values.Random.Next(0x21, 0x7F),
            });
        }

        return builder.ToString();
    }

    private (byte[]? Body, string? ContentType, string? Fault) BuildBody(Operation operation, JsonElement requestBody)
    {
        var content = requestBody.GetProperty("content");
        var acceptsCsv = content.TryGetProperty("text/csv", out _);
        var schema = content.TryGetProperty("application/json", out var json) ? json.GetProperty("schema") : default;
        var bodyIsOptional = schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("oneOf", out _);

        var roll = values.Random.NextDouble();
        if (acceptsCsv && roll < 0.3)
        {
            return (Csv(), values.Pick(["text/csv", "text/csv; charset=utf-8", "text/csv; charset=latin1", "text/csv; header=absent"]), null);
        }

        if (roll < 0.05)
        {
            var type = values.Pick(["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "image/png", "application/json-patch+json; charset=utf-7"]);
            return (Multipart(), type, $"Content-Type {type}");
        }

        if (roll < 0.08 && !bodyIsOptional)
        {
            return (null, null, "no body");
        }

        var text = JsonText.Write(Value(schema, null, 0, out var wrongType));
        var fault = wrongType;
        var contentType = values.Chance(0.95) ? "application/json" : values.Pick(["application/json; charset=utf-8", "APPLICATION/JSON", "application/problem+json"]);
        var bytes = Encoding.UTF8.GetBytes(text);

        var damage = values.Random.NextDouble();
        if (damage < 0.08)
        {
            // Any strict prefix of a JSON object or array is not JSON.
            var cut = values.Random.Next(1, Math.Max(2, bytes.Length));
            if (cut < bytes.Length && bytes[0] is (byte)'{' or (byte)'[')
            {
                bytes = bytes[..cut];
                fault ??= "truncated JSON";
            }
        }
        else if (damage < 0.14)
        {
            var quote = Array.IndexOf(bytes, (byte)'"');
            if (quote >= 0)
            {
                byte[] invalid = values.Pick<byte[]>([[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE4, 0xBE]]);
                bytes = [.. bytes[..(quote + 1)], .. invalid, .. bytes[(quote + 1)..]];
                fault ??= "invalid UTF-8 inside a JSON string";
            }
        }
        else if (damage < 0.17)
        {
            bytes = Encoding.UTF8.GetBytes(values.DeeplyNested().Text);
            fault ??= "deeply nested JSON";
        }
        else if (damage < 0.19)
        {
            bytes = Encoding.UTF8.GetBytes(values.Pick(["[]", "[{}]", "\"text\"", "42", "true", "{\"a\":1}{\"b\":2}", "\ufeff{", "{'kind':'phone'}", "{\"kind\":phone}"]));
            fault ??= "the body is not one JSON object";
        }
        else if (damage < 0.20 && values.MayBeHuge)
        {
            bytes = Encoding.UTF8.GetBytes(JsonText.Write(new Dictionary<string, object?> { ["padding"] = new string('a', (int)BodyLimit(operation) + 10) }));
            fault ??= "the body is larger than the endpoint accepts";
        }

        return (bytes, contentType, fault);
    }

    private static long BodyLimit(Operation operation) => operation.Id switch
    {
        "LookupBatch" => 4 * 1024 * 1024,
        "PublishList" => 64L * 1024 * 1024,
        "SubmitAppeal" => 16 * 1024 * 1024,
        _ => 1024 * 1024,
    };

    /// <summary>A JSON value for <paramref name="schema"/>; <paramref name="fault"/> names a wrong type that can only be refused.</summary>
    private object? Value(JsonElement schema, string? name, int depth, out string? fault)
    {
        fault = null;
        schema = Resolve(schema);
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return values.Text();
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var variants = oneOf.EnumerateArray().Select(Resolve).Where(v => !IsNullType(v)).ToList();
            return variants.Count == 0 || values.Chance(0.05) ? null : Value(values.Pick(variants), name, depth, out fault);
        }

        var types = Types(schema);
        if (types.Contains("object") || schema.TryGetProperty("properties", out _))
        {
            if (depth > 0 && values.Chance(0.05))
            {
                return values.Chance(0.5) ? null : values.WrongType();
            }

            var members = new List<KeyValuePair<string, object?>>();
            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    if (values.Chance(0.08))
                    {
                        continue;
                    }

                    var member = Value(property.Value, property.Name, depth + 1, out var memberFault);
                    fault ??= memberFault;
                    members.Add(new(property.Name, member));
                    if (values.Chance(0.02))
                    {
                        // A duplicate name: whichever reading wins, it is the same request to the server.
                        members.Add(new(property.Name, Value(property.Value, property.Name, depth + 1, out _)));
                    }
                }
            }

            if (values.Chance(0.05))
            {
                members.Add(new(values.Pick(["__proto__", "constructor", "$where", "id", "status", "role", "extra"]), values.Text()));
            }

            return members;
        }

        if (types.Contains("array"))
        {
            if (values.Chance(0.05))
            {
                return values.Chance(0.5) ? null : values.Text();
            }

            var items = schema.TryGetProperty("items", out var itemSchema) ? itemSchema : default;
            if (values.Chance(0.01))
            {
                // Past every batch limit; one item repeated, since the count is what is tested.
                values.MayBeHuge = false;
                var item = Value(items, name, depth + 1, out var repeatedFault);
                fault ??= repeatedFault;
                return Enumerable.Repeat(JsonText.Write(item).Length <= 500 ? item : null, values.Random.Next(1_001, 3_000)).ToList();
            }

            var count = values.Random.Next(0, 4);
            var list = new List<object?>(count);
            for (var i = 0; i < count; i++)
            {
                list.Add(Value(items, name, depth + 1, out var itemFault));
                fault ??= itemFault;
            }

            return list;
        }

        if (types.Contains("integer") && !types.Contains("string"))
        {
            return values.Pick<object?>([0L, -1L, long.MaxValue, 1L, new RawJson("1e400"), new RawJson("99999999999999999999"), null]);
        }

        if (types.Contains("integer"))
        {
            // Integers that may come as strings (the document says so): both, and text that is no number.
            return values.Random.Next(4) switch
            {
                0 when fixtures.AppealIds.Count > 0 => values.Pick(fixtures.AppealIds),
                1 => values.Pick(["1", "-1", "99999999999999999999", "abc", "1.5"]),
                2 => values.Random.NextInt64(),
                _ => values.Text(),
            };
        }

        if (types.Contains("boolean"))
        {
            return values.Pick<object?>([true, false, "true", 1L, null]);
        }

        if (types.Contains("string") && values.Chance(0.07))
        {
            var wrong = values.WrongType();
            fault = $"{name ?? "a string"} given as {JsonText.Write(wrong)[..Math.Min(20, JsonText.Write(wrong).Length)]}";
            return wrong;
        }

        if (types.Contains("string") && values.Chance(0.005))
        {
            fault = $"{name ?? "a string"} nested thousands deep";
            return values.DeeplyNested();
        }

        return values.Chance(0.03) && types.Contains("null") ? null : StringFor(name);
    }

    private string StringFor(string? name) => (name, values.Random.NextDouble() < 0.55) switch
    {
        ("kind", _) => values.Kind(),
        ("value", true) => values.Pick(fixtures.Flagged).Value,
        ("category", true) => values.Pick(Categories),
        ("publishedOn" or "occurredAt" or "expiresAt", _) => values.Date(),
        ("contentBase64", _) => values.Base64Content(),
        ("fileName", _) => values.FileName(),
        ("url", true) => values.Pick(["https://evidence.example/a.png", "javascript:alert(1)", "http://127.0.0.1/", "https://例子.测试/", "file:///etc/passwd", "//x"]),
        ("reviewer", true) => values.Pick(["me", "reviewer", ""]),
        ("contact", true) => values.Pick(["13900139000", "a@example.com", "wechat:wxid_abc"]),
        ("name" or "statement" or "description" or "reason" or "message" or "note" or "title" or "text" or "reference", true) =>
            values.Pick(["这是我开小卖部用了八年的号码。", "Wrongly flagged; it is my shop's number.", "ok", "测试"]),
        ("decision" or "risk" or "verification" or "role" or "tier" or "status" or "type" or "agency", true) => values.Pick(Words),
        _ => values.Text(),
    };

    private byte[] Csv()
    {
        var rows = new StringBuilder();
        if (values.Chance(0.9))
        {
            rows.Append(values.Chance(0.1) ? "\ufeff" : "").Append("kind,value,category,risk,note,expiresAt\n");
        }

        var count = values.Random.Next(0, 6);
        for (var i = 0; i < count; i++)
        {
            var row = values.Random.Next(7) switch
            {
                0 => $"phone,\"{values.Pick(fixtures.Flagged).Value}\",{values.Pick(Categories)},high,,",
                1 => $"\"unterminated,{values.Text()}",
                2 => $"url,\"a\"b\"c\",other,low,\"line\nbreak\",",
                3 => string.Join(',', Enumerable.Repeat(values.Text().Replace("\n", "", StringComparison.Ordinal), values.Random.Next(1, 500))),
                4 => $"domain,{new string('a', values.MayBeHuge ? HostileValues.OneMegabyte : 5000)}.example,other,low,,",
                5 => $"{values.Kind()},\"{values.Text().Replace("\"", "\"\"", StringComparison.Ordinal)}\",{values.Pick(Categories)},{values.Pick(Words)},{values.Text()},{values.Date()}",
                _ => values.Text(),
            };
            rows.Append(row).Append(values.Pick(["\n", "\r\n", "\r", ""]));
        }

        var bytes = Encoding.UTF8.GetBytes(rows.ToString());
        if (values.Chance(0.1) && bytes.Length > 0)
        {
            var at = values.Random.Next(bytes.Length);
            bytes = [.. bytes[..at], 0xFF, 0xFE, 0xC0, .. bytes[at..]];
        }

        return bytes;
    }

    /// <summary>A multipart upload whose part claims to be a small PNG and is neither.</summary>
    private byte[] Multipart()
    {
        var payload = values.Chance(0.5) ? "<html><script>alert(1)</script></html>" : new string('A', values.Random.Next(0, values.MayBeHuge ? 1_000_000 : 2_000));
        return Encoding.UTF8.GetBytes(
            "--x\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"photo.png\"\r\nContent-Type: image/png\r\nContent-Length: 10\r\n\r\n"
            + payload + "\r\n--x--\r\n");
    }

    private static List<JsonElement> Parameters(Operation operation, string location) =>
        operation.Definition.TryGetProperty("parameters", out var parameters)
            ? parameters.EnumerateArray().Where(p => p.GetProperty("in").GetString() == location).ToList()
            : [];

    private JsonElement Resolve(JsonElement schema)
    {
        while (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
        {
            var name = reference.GetString()!.Split('/')[^1];
            schema = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(name);
        }

        return schema;
    }

    private static bool IsNullType(JsonElement schema) =>
        schema.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "null";

    private static HashSet<string> Types(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return [];
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).ToHashSet()
            : [type.GetString()!];
    }

    /// <summary>Percent-encodes the UTF-8 of <paramref name="text"/>; a lone surrogate becomes the three bytes that encode it, which no UTF-8 reader accepts.</summary>
    private static string PercentEncode(string text)
    {
        var builder = new StringBuilder(text.Length * 3);
        for (var i = 0; i < text.Length; i++)
        {
            int codePoint = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                codePoint = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            if (codePoint < 0x80 && (char.IsAsciiLetterOrDigit((char)codePoint) || codePoint is '-' or '_' or '.' or '~'))
            {
                builder.Append((char)codePoint);
                continue;
            }

            foreach (var b in Utf8Of(codePoint))
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static byte[] Utf8Of(int codePoint) => codePoint switch
    {
        < 0x80 => [(byte)codePoint],
        < 0x800 => [(byte)(0xC0 | (codePoint >> 6)), (byte)(0x80 | (codePoint & 0x3F))],
        < 0x10000 => [(byte)(0xE0 | (codePoint >> 12)), (byte)(0x80 | ((codePoint >> 6) & 0x3F)), (byte)(0x80 | (codePoint & 0x3F))],
        _ => [(byte)(0xF0 | (codePoint >> 18)), (byte)(0x80 | ((codePoint >> 12) & 0x3F)), (byte)(0x80 | ((codePoint >> 6) & 0x3F)), (byte)(0x80 | (codePoint & 0x3F))],
    };
}
