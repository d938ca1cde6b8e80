-- wrk script: POST one pre-built body per request, never the same one twice in a
-- run (each body carries its own one-time form token), and print a JSON summary.
-- Environment: WRK_BODIES (one body per line), WRK_PATH, WRK_CONTENT_TYPE,
-- WRK_COOKIE, WRK_THREADS; for multipart, WRK_PREFIX and WRK_SUFFIX files wrap
-- each line (the line is then just the token).
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local function slurp(name)
  local handle = assert(io.open(name, "rb"))
  local data = handle:read("*a")
  handle:close()
  return data
end

function init(args)
  lines = {}
  for line in io.lines(os.getenv("WRK_BODIES")) do
    lines[#lines + 1] = line
  end
  step = tonumber(os.getenv("WRK_THREADS"))
  index = id
  prefix, suffix = "", ""
  if os.getenv("WRK_PREFIX") then
    prefix = slurp(os.getenv("WRK_PREFIX"))
    suffix = slurp(os.getenv("WRK_SUFFIX"))
  end
  headers = {
    ["Content-Type"] = os.getenv("WRK_CONTENT_TYPE"),
    ["Cookie"] = os.getenv("WRK_COOKIE") or "",
  }
  path = os.getenv("WRK_PATH")
end

function request()
  local line = lines[(index % #lines) + 1]
  index = index + step
  return wrk.format("POST", path, headers, prefix .. line .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
