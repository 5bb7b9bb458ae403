-- The load script backend-agent runs with wrk (https://github.com/wg/wrk).
-- The `config` table above this line describes one endpoint. The credential
-- (its header's name and value), when the endpoint needs one, comes from the
-- environment, so this file (kept in the reports as evidence) holds no secret.

local token = os.getenv("BACKEND_AGENT_LOAD_TOKEN")
local token_header = os.getenv("BACKEND_AGENT_LOAD_HEADER") or "Authorization"
wrk.method = config.method
for name, value in pairs(config.headers) do
  wrk.headers[name] = value
end
if config.auth and token ~= nil and token ~= "" then
  wrk.headers[token_header] = token
end

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } backend_agent_timespec;
int clock_gettime(int clock, backend_agent_timespec *now);
]]

-- Microseconds on the monotonic clock, to time a thread that stops at the request bound.
local function now_us()
  local now = ffi.new("backend_agent_timespec")
  ffi.C.clock_gettime(1, now)
  return tonumber(now.tv_sec) * 1000000 + tonumber(now.tv_nsec) / 1000
end

local threads = {}
local started = 0

function setup(thread)
  thread:set("thread_index", started)
  started = started + 1
  table.insert(threads, thread)
end

local bodies = nil
local last_body = nil

function init(args)
  sent = 0
  received = 0
  statuses = {}
  started_us = now_us()
  if config.body_files ~= nil then
    -- This thread's own bodies, one JSON document per line, each built from the
    -- schema with its own unique values: no two requests of the run send the same.
    bodies = assert(io.open(config.body_files[thread_index + 1], "rb"))
  end
end

function request()
  sent = sent + 1
  local path = config.paths[((sent - 1) % #config.paths) + 1]
  local body = nil
  if bodies ~= nil then
    -- The request bound stops the thread before its bodies run out; should one more
    -- request be asked for after that, it repeats the last body rather than none.
    body = bodies:read("*l") or last_body
    last_body = body
  end
  return wrk.format(nil, path, nil, body)
end

function response(status, headers, body)
  received = received + 1
  statuses[status] = (statuses[status] or 0) + 1
  if received >= config.max_per_thread then
    -- The request bound: this thread stops by itself, whatever the duration left.
    stopped_us = now_us()
    wrk.thread:stop()
  end
end

local function counts_json(counts)
  local parts = {}
  for key, count in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', tostring(key), count))
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local merged = {}
  local first, last, all_stopped = nil, 0, true
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for status, count in pairs(counts) do
      merged[status] = (merged[status] or 0) + count
    end
    local began, ended = thread:get("started_us"), thread:get("stopped_us")
    if began ~= nil and (first == nil or began < first) then first = began end
    if ended == nil then all_stopped = false elseif ended > last then last = ended end
  end
  -- wrk's own duration includes the wait after every thread stopped at the request bound.
  local active = summary.duration
  if all_stopped and first ~= nil and last > first then active = last - first end
  local percentiles = {}
  for _, q in ipairs({50, 75, 90, 95, 99, 99.9}) do
    table.insert(percentiles, string.format('"%s": %d', tostring(q), latency:percentile(q)))
  end
  local errors = summary.errors
  io.write(string.format(
    'BACKEND_AGENT_WRK {"duration_us": %d, "active_us": %d, "requests": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"min": %d, "max": %d, "mean": %.3f, "stdev": %.3f, "percentiles": {%s}}, '
      .. '"statuses": %s}\n',
    summary.duration, active, summary.requests, summary.bytes,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout,
    latency.min, latency.max, latency.mean, latency.stdev, table.concat(percentiles, ", "),
    counts_json(merged)))
end
