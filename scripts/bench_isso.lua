-- wrk script for the Isso comparison (scripts/bench_isso.py): readers posting comments to Isso.
--
-- Run with one connection per thread (`-t N -c N`), as scripts/bench_post.lua is: each connection
-- is one reader who, in a loop, posts a comment with `POST /new?uri=...`, as Isso's embed.js does
-- (a JSON body, Content-Type application/json, the page's Origin and Referer). Isso has no
-- per-visitor form parts to fetch first, so every request here is a post. The figures come out
-- as one BENCH_JSON line with the same fields as bench_post.lua's.
--
-- Arguments after `--`: POST_PATH ORIGIN PAGE_PATH RUN_TAG
--   POST_PATH  e.g. /new?uri=%2Fposts%2Fbench-isso (encoded as embed.js encodes it)
--   ORIGIN     the site Isso is configured for ([general] host), sent as Origin
--   PAGE_PATH  the page the comments belong to, sent in the Referer
--   RUN_TAG    makes this run's comment texts unique, and countable afterwards

local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
   int clock_gettime(int clock, bench_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")

local function now_ms()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
   return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local post_path, origin, page_path, run_tag

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local sent_at
local written = 0
posted_ms = {}
statuses = {}
form_failures = 0 -- always 0: kept so the figures have bench_post.lua's fields
answer_bytes_max = 0
answer_bytes_total = 0

function init(args)
   post_path, origin, page_path, run_tag = args[1], args[2], args[3], args[4]
end

function request()
   written = written + 1
   -- The fields embed.js sends; the text has no character that needs escaping in JSON.
   local body = string.format(
      '{"author": "Bench Reader", "email": null, "website": null, "text": "bench %s %d-%d: '
         .. 'the lock keeper says the towpath reopens on Friday.", "parent": null, '
         .. '"title": null, "notification": 0}',
      run_tag, id, written)
   local headers = {
      ["Content-Type"] = "application/json",
      ["Origin"] = origin,
      ["Referer"] = origin .. page_path,
   }
   sent_at = now_ms()
   return wrk.format("POST", post_path, headers, body)
end

function response(status, headers, body)
   posted_ms[#posted_ms + 1] = now_ms() - sent_at
   statuses[status] = (statuses[status] or 0) + 1
   answer_bytes_total = answer_bytes_total + #body
   if #body > answer_bytes_max then answer_bytes_max = #body end
end

function done(summary, latency, requests)
   local all, by_status, failures, biggest, total = {}, {}, 0, 0, 0
   for _, thread in ipairs(threads) do
      for _, ms in ipairs(thread:get("posted_ms")) do all[#all + 1] = ms end
      for status, count in pairs(thread:get("statuses")) do
         by_status[status] = (by_status[status] or 0) + count
      end
      failures = failures + thread:get("form_failures")
      biggest = math.max(biggest, thread:get("answer_bytes_max"))
      total = total + thread:get("answer_bytes_total")
   end
   table.sort(all)
   local function percentile(p)
      if #all == 0 then return 0 end
      return all[math.max(1, math.ceil(#all * p / 100))]
   end
   local parts = {}
   for status, count in pairs(by_status) do
      parts[#parts + 1] = string.format('"%d": %d', status, count)
   end
   io.write(string.format(
      'BENCH_JSON {"posts": %d, "seconds": %.6f, "p50_ms": %.3f, "p99_ms": %.3f, '
         .. '"max_ms": %.3f, "statuses": {%s}, "form_failures": %d, "answer_bytes_max": %d, '
         .. '"answer_bytes_total": %d, "requests": %d, "timeouts": %d, "read_errors": %d, '
         .. '"connect_errors": %d}\n',
      #all, summary.duration / 1e6, percentile(50), percentile(99), percentile(100),
      table.concat(parts, ", "), failures, biggest, total, summary.requests,
      summary.errors.timeout, summary.errors.read, summary.errors.connect))
end
