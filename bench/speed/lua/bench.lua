-- wrk script of the speed benchmark.
--   wrk ... -s bench.lua URL -- MODE CAP DATA [BODY]
-- MODE get:  GET /api/v1/posts/<random id>, ids read from the file DATA (one a line)
-- MODE list: GET DATA (a path with its query string)
-- MODE post: POST /api/v1/posts with "Authorization: Bearer DATA" and the JSON BODY
-- CAP bounds the requests each thread sends; done() prints one JSON line for run.py.

local next_id = 1

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

local mode, cap, sent, ids, fixed = nil, 0, 0, {}, nil

function init(args)
  mode, cap = args[1], tonumber(args[2])
  math.randomseed(os.time() * 1000 + (tid or 0))
  if mode == "get" then
    for line in io.lines(args[3]) do
      ids[#ids + 1] = line
    end
  elseif mode == "list" then
    fixed = wrk.format("GET", args[3])
  elseif mode == "post" then
    local headers = {}
    headers["Authorization"] = "Bearer " .. args[3]
    headers["Content-Type"] = "application/json"
    fixed = wrk.format("POST", "/api/v1/posts", headers, args[4])
  else
    error("unknown mode " .. tostring(mode))
  end
end

function request()
  sent = sent + 1
  if sent > cap then
    wrk.thread:stop()
  end
  if mode == "get" then
    return wrk.format("GET", "/api/v1/posts/" .. ids[math.random(#ids)])
  end
  return fixed
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"stdev":%.1f,"max":%d,' ..
    '"p50":%d,"p75":%d,"p90":%d,"p95":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency:percentile(99.9)))
end
