-- wrk reporter: one JSON line with throughput, latency percentiles (ms), error counts,
-- the count of each HTTP status, and the start of the first non-2xx body (to say why).
-- With WRK_BUST=1 in the environment every request appends a URL-encoded SPARQL comment
-- that no other request has (thread number and counter), so no cache can answer it.
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_no", thread_count)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  first_error = ""
  counter = 0
end

if os.getenv("WRK_BUST") == "1" then
  request = function()
    counter = counter + 1
    return wrk.format(nil, wrk.path .. "%0A%23%20" .. thread_no .. "-" .. counter)
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 300 and first_error == "" then
    first_error = status .. " " .. string.sub(body or "", 1, 200)
  end
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

done = function(summary, latency, requests)
  local agg, parts, why = {}, {}, ""
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do agg[code] = (agg[code] or 0) + n end
    if why == "" then why = t:get("first_error") end
  end
  for code, n in pairs(agg) do table.insert(parts, string.format('"%d":%d', code, n)) end
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.2f,"rps":%.1f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,"max_ms":%.2f,' ..
    '"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_status":%d,"errors_timeout":%d,' ..
    '"statuses":{%s},"first_error":%s}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, table.concat(parts, ","), json_string(why)))
end
