-- wrk script for bench/peers: POST one GraphQL request body over and over.
--   wrk ... -s post.lua http://127.0.0.1:PORT/graphql -- BODY_FILE [AUTHORIZATION]
-- Counts answers that are not HTTP 200 or that carry GraphQL "errors" (GraphQL servers answer
-- errors with 200), notes when each thread started and got its last answer (so that a run only a
-- few slow requests long can be timed to its last completion rather than to wrk's deadline, when
-- the requests still in flight are dropped), and prints one line for bench/peers/run.py:
--   WRK requests=N duration_us=N window_us=N p50_us=N p99_us=N bad=N connect=N ...

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  wrk.body = file:read("*a")
  file:close()
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  if args[2] ~= nil and args[2] ~= "" then
    wrk.headers["Authorization"] = args[2]
  end
  bad = 0
  first_us = now_us()
  last_us = first_us
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) ~= nil then
    bad = bad + 1
  end
  last_us = now_us()
end

function done(summary, latency, requests)
  local bad_total, first, last = 0, nil, nil
  for _, thread in ipairs(threads) do
    bad_total = bad_total + (thread:get("bad") or 0)
    local started, ended = thread:get("first_us"), thread:get("last_us")
    if started ~= nil and (first == nil or started < first) then first = started end
    if ended ~= nil and (last == nil or ended > last) then last = ended end
  end
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_us=%d window_us=%d p50_us=%d p99_us=%d bad=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, (last or 0) - (first or 0), latency:percentile(50), latency:percentile(99), bad_total,
    e.connect, e.read, e.write, e.status, e.timeout))
end
