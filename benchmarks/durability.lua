-- wrk script of benchmarks/durability.sh: every request is an anonymous community report (POST /v1/reports) of a
-- phone number no earlier request of the run named, so each one inserts a new row in a transaction of its own: the
-- write whose commit SQLite's synchronous setting syncs or not. BENCH_PREFIX (one digit, default 5) keeps the runs
-- against one database apart: number 1<prefix><thread><counter in 8 digits>.
-- Counts the answers that are not 2xx; done() prints one line:
--   requests=N seconds=S requests_per_second=R p50_ms=L p99_ms=L non2xx=N socket_errors=N [first_non2xx=STATUS BODY]
local prefix = os.getenv("BENCH_PREFIX") or "5"

local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

non2xx = 0
first_non2xx = nil
local counter = 0

function init(args)
  if id > 9 then error("at most 9 threads: the thread is one digit of the number") end
  wrk.method = "POST"
  wrk.path = "/v1/reports"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, string.format(
    '{"kind":"phone","value":"1%s%d%08d","category":"fake_customer_service","description":"Called as my bank and asked me to move money."}',
    prefix, id, counter))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_non2xx == nil then first_non2xx = status .. " " .. string.sub(body or "", 1, 200) end
  end
end

function done(summary, latency, requests)
  local bad, first = 0, nil
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
    first = first or thread:get("first_non2xx")
  end
  local errors = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format("requests=%d seconds=%.2f requests_per_second=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d%s\n",
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    bad, errors.connect + errors.read + errors.write + errors.timeout,
    first and (" first_non2xx=" .. string.gsub(first, "%s+", " ")) or ""))
end
