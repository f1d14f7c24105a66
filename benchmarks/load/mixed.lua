-- wrk script: the mixed traffic of benchmarks/load/run.sh. Each request is a single lookup (phone, domain or URL), a
-- batch of 20 lookups, a hash-prefix lookup, a community report or an appeal, in the proportions below, all with the
-- app key in BENCH_KEY. Flagged phone i is 139 followed by i in 8 digits (0 <= i < BENCH_FLAGGED); every appeal is from
-- its own appellant (BENCH_RUN tells runs apart), so each one files a new appeal (201) under the one-open-appeal-per-appellant rule.
local key = os.getenv("BENCH_KEY") or ""
local flagged = tonumber(os.getenv("BENCH_FLAGGED") or "4000")
local domains = tonumber(os.getenv("BENCH_DOMAINS") or "200")
local run = os.getenv("BENCH_RUN") or "run"

-- cumulative percentages
local mix = {
  { "lookup", 45 }, { "batch", 55 }, { "hash", 65 }, { "report", 90 }, { "appeal", 100 },
}

local threads = {}
local thread_id = 0
function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end

sent = {}
statuses = {}
local appeals = 0

function init(args)
  math.randomseed(os.time() * 1000 + id)
  wrk.headers["X-Api-Key"] = key
  wrk.headers["Content-Type"] = "application/json"
end

local function phone()
  local n = math.random(0, 3 * flagged - 1)
  if n < flagged then return string.format("139%08d", n) end
  return string.format("137%08d", n)
end

local function identifier()
  local r = math.random(10)
  if r <= 7 then return "phone", phone() end
  if r == 8 then return "domain", string.format("load-%d.example.com", math.random(0, 2 * domains - 1)) end
  return "url", string.format("http://www.load-%d.example.com/account/verify?session=%d", math.random(0, 2 * domains - 1), math.random(1e9))
end

local builders = {
  lookup = function()
    local kind, value = identifier()
    return wrk.format("GET", "/v1/lookup/" .. kind .. "?value=" .. value:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
  end,
  batch = function()
    local items = {}
    for i = 1, 20 do
      local kind, value = identifier()
      items[i] = string.format('{"kind":"%s","value":"%s"}', kind, value)
    end
    return wrk.format("POST", "/v1/lookup", nil, '{"items":[' .. table.concat(items, ",") .. ']}')
  end,
  hash = function()
    return wrk.format("GET", string.format("/v1/hashes/%05x", math.random(0, 0xfffff)))
  end,
  report = function()
    return wrk.format("POST", "/v1/reports", nil, string.format(
      '{"kind":"phone","value":"%s","category":"fake_customer_service","description":"Called as my bank and asked me to move money.","reporterId":"user-%d"}',
      phone(), math.random(0, 49999)))
  end,
  appeal = function()
    appeals = appeals + 1
    local n = appeals * 64 + id
    return wrk.format("POST", "/v1/appeals", nil, string.format(
      '{"kind":"phone","value":"139%08d","appellant":{"name":"Bench Appellant","contact":"bench-%s-%d-%d@example.org"},"statement":"This is my shop number.","evidence":[]}',
      n % flagged, run, id, appeals))
  end,
}

function request()
  local r = math.random(100)
  for _, m in ipairs(mix) do
    if r <= m[2] then
      sent[m[1]] = (sent[m[1]] or 0) + 1
      return builders[m[1]]()
    end
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local kinds, codes = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("sent")) do kinds[k] = (kinds[k] or 0) + v end
    for k, v in pairs(thread:get("statuses")) do codes[k] = (codes[k] or 0) + v end
  end
  io.write(string.format("mixed: %d requests in %.1f s = %.0f requests/s; latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; socket errors %d connect, %d read, %d write, %d timeout\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout))
  for _, m in ipairs(mix) do
    -- counted when sent; wrk cuts the last in-flight requests at the end
    io.write(string.format("  %-7s %8d sent  %7.0f/s\n", m[1], kinds[m[1]] or 0, (kinds[m[1]] or 0) / seconds))
  end
  local line = "  statuses:"
  for code, n in pairs(codes) do line = line .. string.format(" %d×%d", code, n) end
  io.write(line .. "\n")
end
