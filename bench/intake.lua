-- wrk script: POST a new melding per request (unique address, so each is a new job).
local counter = 0
local thread_id = 0
local token = os.getenv("BENCH_TOKEN")
-- each wrk run (warm-up, measurement) its own streets, so every request is a new job
local run = os.getenv("BENCH_RUN") or "0"

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"scheme":"SC-530","street":"Benchstraat %s-%d-%d","postcode":"3511AB","place":"Utrecht",' ..
    '"planned_start":"2030-03-04","planned_end":"2030-03-06","client":"Woonstichting"}', run, tid or 0, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                  ["Authorization"] = "Bearer " .. (token or "")}, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d non2xx=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
