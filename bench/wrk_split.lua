-- wrk script for bench/forum.py.
-- Spreads wrk's threads over the server processes listed in BENCH_ADDRS ("127.0.0.1:8001,127.0.0.1:8002"):
-- thread 1 talks to the first process, thread 2 to the second, and so on round the list, so two processes
-- get the same share of the connections with no proxy in between. wrk still adds up one latency histogram
-- over all threads, so the percentiles are exact. At the end it prints one line of JSON.

local addrs = {}
local next_thread = 0

function setup(thread)
  if #addrs == 0 then
    for host, port in string.gmatch(os.getenv("BENCH_ADDRS"), "([^,:]+):(%d+)") do
      table.insert(addrs, wrk.lookup(host, port)[1])
    end
  end
  thread.addr = addrs[next_thread % #addrs + 1]
  next_thread = next_thread + 1
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write, errors.status,
    errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
