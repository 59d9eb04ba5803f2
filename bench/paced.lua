-- Open-loop (constant-rate) load for wrk, the way wrk2 does it; wrk2 is not packaged here.
--   wrk -tN -cN -d8s -s bench/paced.lua URL -- <total req/s> <products> <N>
-- Each thread owns one connection and sends GET /products/<id> on a fixed schedule. Latency counts
-- from the scheduled send time, not the actual one, so a stalled server is not hidden by the client
-- waiting for it (no coordinated omission). Prints one line: "RELAY_PACED {json}".

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } relay_timespec;
int clock_gettime(int clock_id, relay_timespec *spec);
]]
local CLOCK_MONOTONIC = 1
local spec = ffi.new("relay_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, spec)
  return tonumber(spec.tv_sec) * 1e6 + tonumber(spec.tv_nsec) / 1e3
end

local threads = {}

function setup(thread)
  thread:set("phase", #threads)
  table.insert(threads, thread)
end

function init(args)
  local total_rate = tonumber(args[1])
  products = tonumber(args[2])
  thread_count = tonumber(args[3])
  interval_us = 1e6 * thread_count / total_rate
  first_due = nil
  sent = 0
  due = nil
  latencies = {}
  last_done = 0
end

local function start_schedule()
  if first_due == nil then
    -- Spread the threads' schedules across one interval instead of firing together.
    first_due = now_us() + interval_us * phase / thread_count
  end
end

-- wrk asks for a delay (in whole ms) before each request: round up, so a request is never early.
function delay()
  start_schedule()
  local wait_us = first_due + sent * interval_us - now_us()
  return wait_us > 0 and math.ceil(wait_us / 1000) or 0
end

function request()
  start_schedule()
  -- The first request goes out on connect, before the schedule: it warms up and is not counted.
  due = sent > 0 and first_due + sent * interval_us or nil
  sent = sent + 1
  return wrk.format("GET", "/products/" .. ((sent * 7 + phase) % products + 1))
end

function response(status, headers, body)
  if due ~= nil and status < 500 then
    last_done = now_us()
    latencies[#latencies + 1] = (last_done - due) / 1000
  end
  due = nil
end

local function percentile(sorted, fraction)
  return sorted[math.max(1, math.ceil(#sorted * fraction))]
end

function done(summary, latency, requests)
  local all, first, last = {}, math.huge, 0
  for _, thread in ipairs(threads) do
    for _, value in ipairs(thread:get("latencies")) do
      all[#all + 1] = value
    end
    first = math.min(first, thread:get("first_due") or math.huge)
    last = math.max(last, thread:get("last_done"))
  end
  table.sort(all)
  local seconds = (last - first) / 1e6
  io.write(string.format(
    'RELAY_PACED {"requests": %d, "achieved_req_per_s": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, '
      .. '"p999_ms": %.2f, "max_ms": %.2f, "errors": %d}\n',
    #all, #all / seconds, percentile(all, 0.5), percentile(all, 0.99), percentile(all, 0.999),
    all[#all], summary.errors.status + summary.errors.timeout + summary.errors.read
      + summary.errors.write + summary.errors.connect
  ))
end
