-- wrk script: rotate over the request paths listed in $URLS_FILE (one "/path?query" per line).
--
-- Environment:
--   URLS_FILE   file of paths (required)
--
-- Each connection takes the next path in turn, so with -t1 the file is walked in order and
-- wrapped around; a run of R requests covers min(R, lines) distinct paths.
--
-- done() prints one machine-readable line, prefixed "BENCHJSON ", with throughput, latency
-- percentiles (microseconds) and wrk's error counters (status = non-2xx/3xx responses).

local urls_file = os.getenv("URLS_FILE")
local paths = {}
if urls_file then
   for line in io.lines(urls_file) do
      if #line > 0 then paths[#paths + 1] = line end
   end
end
if #paths == 0 then
   io.stderr:write("rotate.lua: URLS_FILE is unset or empty\n")
   os.exit(2)
end

local i = 0
local requests = {}
for k, p in ipairs(paths) do
   requests[k] = wrk.format("GET", p)
end

request = function()
   i = i % #paths + 1
   return requests[i]
end

done = function(summary, latency, requests)
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"rps":%.2f,' ..
      '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,' ..
      '"err_connect":%d,"err_read":%d,"err_write":%d,"err_status":%d,"err_timeout":%d,"urls":%d}\n',
      summary.requests, summary.duration, summary.bytes, summary.requests / secs,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
      e.connect, e.read, e.write, e.status, e.timeout, #paths))
end
