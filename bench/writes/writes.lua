-- wrk script for bench/writes: a different write on every request.
--   wrk -t T -c C -d S -s writes.lua URL -- OP QUERY_FILE DATA_FILE TAG THREADS AUTHORIZATION BATCH
-- OP: createInvoice | createInvoices | updateInvoice | recordTransaction.
-- QUERY_FILE: the GraphQL document as a JSON string. DATA_FILE: for the create operations the
-- invoice template of bench/writes/shapes.py; for the others, one pre-created invoice a line
-- ("inv_... li_..." for updates, "inv_... cust_..." for transactions), each thread taking every
-- THREADS-th line from its own offset. TAG makes this run's keys unique (invoiceId and
-- externalId are "bw-TAG-THREAD-N"). BATCH: invoices per createInvoices request.
--
-- An answer counts as a success only with HTTP 200, no "errors", and the operation's success
-- type with the expected content (a new invoice, version 2, ...): anything else is counted as
-- bad and the first one is kept for the report. An update thread that runs out of invoices
-- stops (the harness then makes more and repeats the run). Prints one line:
--   WRITES ok=N bad=N sent=N exhausted=N window_us=N p50_us=N p99_us=N ... sample=FIRST_BAD

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

local SUCCESS = {
  createInvoice = { '"__typename":%s*"CreateInvoiceResult"', '"isIkReplay":%s*false' },
  createInvoices = { '"__typename":%s*"CreateInvoicesResult"', '"createdCount":%s*BATCH[,}]' },
  updateInvoice = { '"__typename":%s*"UpdateInvoiceResult"', '"version":%s*2[,}]' },
  recordTransaction = { '"__typename":%s*"RecordTransactionResult"', '"isIkReplay":%s*false' },
}

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local function read(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

function init(args)
  op = args[1]
  query = read(args[2])
  tag = args[4]
  local count = tonumber(args[5])
  batch = tonumber(args[7])
  assert(SUCCESS[op] ~= nil, "unknown operation " .. tostring(op))
  success = {}
  for i, pattern in ipairs(SUCCESS[op]) do
    success[i] = string.gsub(pattern, "BATCH", tostring(batch))
  end
  if op == "createInvoice" or op == "createInvoices" then
    template = read(args[3])
  else
    mine = {}
    local index = 0
    for line in io.lines(args[3]) do
      if index % count == tid then
        local invoice, other = string.match(line, "^(%S+) (%S+)$")
        table.insert(mine, { invoice, other })
      end
      index = index + 1
    end
    assert(#mine > 0, "no pre-created invoices for thread " .. tid)
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  if args[6] ~= nil and args[6] ~= "" then
    wrk.headers["Authorization"] = args[6]
  end
  n = 0
  ok = 0
  bad = 0
  sent = 0
  exhausted = 0
  sample = ""
  first_us = now_us()
  last_us = first_us
end

local function key(number)
  return "bw-" .. tag .. "-" .. tid .. "-" .. number
end

local function invoice(id, number)
  local customer = string.format("cust_%03d", number % 200)
  local partner = string.format("partner_%02d", number % 20)
  local text = string.gsub(template, "@ID@", id)
  text = string.gsub(text, "@CUSTOMER@", customer)
  return (string.gsub(text, "@PARTNER@", partner))
end

local function post(input)
  sent = sent + 1
  return wrk.format(nil, nil, nil, '{"query":' .. query .. ',"variables":{"input":' .. input .. '}}')
end

function request()
  n = n + 1
  if op == "createInvoice" then
    return post(invoice(key(n), n))
  elseif op == "createInvoices" then
    local parts = {}
    for k = 1, batch do
      parts[k] = invoice(key(n) .. "-" .. k, n * batch + k)
    end
    return post('{"invoices":[' .. table.concat(parts, ",") .. ']}')
  elseif op == "updateInvoice" then
    local pick = mine[n]
    if pick == nil then
      -- Out of invoices at version 1: stop this thread, and send a harmless GET meanwhile.
      exhausted = 1
      wrk.thread:stop()
      return wrk.format("GET", "/healthz", {}, nil)
    end
    return post('{"id":"' .. pick[1] .. '","expectedVersion":1,"lineItems":[{"update":{"id":"'
      .. pick[2] .. '","price":{"unitPrice":"1600","quantity":2}}}]}')
  else
    local pick = mine[((n - 1) % #mine) + 1]
    return post('{"externalId":"' .. key(n) .. '","amount":"1","currency":"USD",'
      .. '"posted":"2026-01-13T00:00:00Z","allocations":[{"invoice":{"id":"' .. pick[1]
      .. '"},"type":"PAYIN","user":{"externalId":"' .. pick[2] .. '"},"amount":"1"}]}')
  end
end

function response(status, headers, body)
  if exhausted == 1 and string.find(body, '"status":"ok"', 1, true) ~= nil then
    return -- the filler GET of a thread that ran out
  end
  local good = status == 200 and string.find(body, '"errors"', 1, true) == nil
  for _, pattern in ipairs(success) do
    good = good and string.find(body, pattern) ~= nil
  end
  if good then
    ok = ok + 1
    last_us = now_us()
  else
    bad = bad + 1
    if sample == "" then
      sample = "HTTP " .. status .. " " .. string.sub(string.gsub(body, "%s+", " "), 1, 300)
    end
  end
end

function done(summary, latency, requests)
  local ok_total, bad_total, sent_total, exhausted_total = 0, 0, 0, 0
  local first, last, first_bad = nil, nil, ""
  for _, thread in ipairs(threads) do
    ok_total = ok_total + (thread:get("ok") or 0)
    bad_total = bad_total + (thread:get("bad") or 0)
    sent_total = sent_total + (thread:get("sent") or 0)
    exhausted_total = exhausted_total + (thread:get("exhausted") or 0)
    local started, ended = thread:get("first_us"), thread:get("last_us")
    if started ~= nil and (first == nil or started < first) then first = started end
    if ended ~= nil and (last == nil or ended > last) then last = ended end
    local seen = thread:get("sample")
    if first_bad == "" and seen ~= nil then first_bad = seen end
  end
  local e = summary.errors
  io.write(string.format(
    "WRITES ok=%d bad=%d sent=%d exhausted=%d window_us=%d p50_us=%d p99_us=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d sample=%s\n",
    ok_total, bad_total, sent_total, exhausted_total, (last or 0) - (first or 0),
    latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.status,
    e.timeout, first_bad))
end
