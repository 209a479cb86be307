-- wrk script for `make bench` (scripts/bench.py): after a run, one line of JSON with the
-- figures the benchmark reports, so it never has to parse wrk's human-readable summary.
-- Any extra request headers come as script arguments: `wrk ... -s bench_report.lua URL --
-- "Name: value" ...`.

function init(args)
   for _, header in ipairs(args) do
      local name, value = header:match("^([^:]+):%s*(.*)$")
      if name then
         wrk.headers[name] = value
      end
   end
end

function done(summary, latency, requests)
   local errors = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "seconds": %.6f, "bytes": %d, "p50_ms": %.3f, '
         .. '"p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f, "non_2xx": %d, '
         .. '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
      summary.requests, summary.duration / 1e6, summary.bytes,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      errors.status, errors.connect, errors.read, errors.write, errors.timeout))
end
