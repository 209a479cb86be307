-- wrk script for `make bench` (scripts/bench.py): readers posting comments with htmx.
--
-- Run with one connection per thread (`-t N -c N`): each connection is one reader who, in a
-- loop, fetches a fresh comment form and then posts a comment with it, as htmx does. Only the
-- posts are timed and counted; the form fetches are the price of each post.
--
-- Arguments after `--`: FORM_PATH POST_PATH ORIGIN RUN_TAG
--   FORM_PATH  where a fresh form comes from      POST_PATH  where the form is posted
--   ORIGIN     e.g. http://127.0.0.1:5000 (sent as Origin, as a browser does)
--   RUN_TAG    makes this run's comment texts unique (the blog refuses duplicates)

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

local form_path, post_path, origin, run_tag

-- ============================================================================================
-- FRESH FORM: the one place that knows how a reader gets the per-visitor parts of the form
-- (CSRF token, one-use `started` stamp, the session cookie they belong to). Today they are in
-- the article page itself (FORM_PATH is the article); when they come from a small endpoint of
-- their own, pass its path as FORM_PATH and, if its answer is not HTML with hidden inputs,
-- change read_form below. Nothing else here needs to change.
-- ============================================================================================

local function form_request()
   -- The whole page, as a reader's browser loads it before they write.
   return wrk.format("GET", form_path)
end

local entities = { amp = "&", lt = "<", gt = ">", quot = '"', apos = "'" }

local function unescape(text)
   text = text:gsub("&#(%d+);", function(code) return string.char(tonumber(code)) end)
   text = text:gsub("&#x(%x+);", function(code) return string.char(tonumber(code, 16)) end)
   return (text:gsub("&(%a+);", function(name) return entities[name] end))
end

-- The hidden fields of the comment form (or of the whole answer, if it holds no such form),
-- and the cookie the answer set. Returns nil when the answer holds no hidden field.
local function read_form(headers, body)
   local chunk = body
   local action = body:find('action="' .. post_path .. '"', 1, true)
   if action then
      local start = 1
      for position in body:gmatch("()<form[%s>]") do
         if position > action then break end
         start = position
      end
      local finish = body:find("</form>", action, true) or #body
      chunk = body:sub(start, finish)
   end
   local fields, found = {}, false
   for tag in chunk:gmatch("<input[^>]*>") do
      if tag:find('type="hidden"', 1, true) then
         local name = tag:match('name="([^"]*)"')
         if name then
            fields[name] = unescape(tag:match('value="([^"]*)"') or "")
            found = true
         end
      end
   end
   local cookie = nil
   local set_cookie = headers["Set-Cookie"] or headers["set-cookie"]
   if set_cookie then
      cookie = set_cookie:match("^([^;]+)")
   end
   if not found then return nil end
   return fields, cookie
end
-- ============================================================================================

local function urlencode(text)
   return (text:gsub("[^%w%-_%.~]", function(char)
      return string.format("%%%02X", string.byte(char))
   end))
end

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("id", counter)
   table.insert(threads, thread)
end

local state = "form"
local fields, cookie, sent_at
local written = 0
posted_ms = {}
statuses = {}
form_failures = 0
answer_bytes_max = 0
answer_bytes_total = 0

function init(args)
   form_path, post_path, origin, run_tag = args[1], args[2], args[3], args[4]
end

function request()
   if state == "form" then
      return form_request()
   end
   written = written + 1
   local values = {}
   for name, value in pairs(fields) do
      values[#values + 1] = urlencode(name) .. "=" .. urlencode(value)
   end
   values[#values + 1] = "name=Bench+Reader"
   values[#values + 1] = "body=" .. urlencode(string.format(
      "bench %s %d-%d: the lock keeper says the towpath reopens on Friday.",
      run_tag, id, written))
   local headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["HX-Request"] = "true",
      ["Origin"] = origin,
      ["Sec-Fetch-Site"] = "same-origin",
      ["Referer"] = origin .. form_path,
   }
   if cookie then headers["Cookie"] = cookie end
   sent_at = now_ms()
   return wrk.format("POST", post_path, headers, table.concat(values, "&"))
end

function response(status, headers, body)
   if state == "form" then
      if status == 200 then
         fields, cookie = read_form(headers, body)
      end
      if fields then
         state = "post"
      else
         form_failures = form_failures + 1
      end
      return
   end
   posted_ms[#posted_ms + 1] = now_ms() - sent_at
   statuses[status] = (statuses[status] or 0) + 1
   answer_bytes_total = answer_bytes_total + #body
   if #body > answer_bytes_max then answer_bytes_max = #body end
   state, fields, cookie = "form", nil, nil
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
