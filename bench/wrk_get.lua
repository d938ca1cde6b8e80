-- wrk script: plain GETs of the URL given to wrk (no cookies: a first visit, as
-- most visits to the public pages are), and a JSON summary like wrk_post.lua's.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "socket_errors": %d, ' ..
    '"status_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(99)))
end
