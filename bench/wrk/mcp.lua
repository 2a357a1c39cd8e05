-- wrk script for bench/bench_http.py: stateless MCP `tools/call` POSTs against helpdesk (or the
-- MCPServer baseline), one JSON-RPC request per HTTP request, and a check of every answer.
--
--   wrk -t1 -c8 -d5s --timeout 10s -s bench/wrk/mcp.lua http://127.0.0.1:PORT/mcp -- MODE TICKETS RUN
--
-- MODE is `read` (get_ticket), `write` (add_ticket_comment with a unique idempotency_key per
-- request: RUN, the wrk thread and a counter) or `mixed` (three reads, then one write). TICKETS is
-- how many tickets the database holds (ids 1..TICKETS are read in turn). The bearer token, if
-- any, comes from the MCP_TOKEN environment variable (so it stays off the command line).
--
-- A benchmark of errors is worthless, so response() sorts every answer: `ok` (HTTP 200 and a
-- JSON-RPC result with "isError":false), `tool_error` (a result with "isError":true: a refused
-- or failed call), `rpc_error` (200 but no result: a JSON-RPC error) and `bad_status` (anything
-- but 200). done() prints one line, `WRK_RESULT {json}`, that the Python side parses.

local threads = {}
local next_id = 1

function setup(thread)
   thread:set("thread_id", next_id)
   next_id = next_id + 1
   table.insert(threads, thread)
end

function init(args)
   mode = args[1] or "read"
   tickets = tonumber(args[2] or "1000")
   run = args[3] or "run"
   counter = 0
   ok, tool_error, rpc_error, bad_status = 0, 0, 0, 0
   sample = ""
   headers = {
      ["Content-Type"] = "application/json",
      ["Accept"] = "application/json, text/event-stream",
      ["MCP-Protocol-Version"] = "2025-11-25",
   }
   local token = os.getenv("MCP_TOKEN")
   if token ~= nil and token ~= "" then
      headers["Authorization"] = "Bearer " .. token
   end
   -- Spread the reads over the table; each thread starts at a different place.
   offset = (thread_id * 7919) % tickets
end

local READ = '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"get_ticket",'
   .. '"arguments":{"ticket_id":%d}}}'
local WRITE = '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"add_ticket_comment",'
   .. '"arguments":{"ticket_id":%d,"body":"bench comment %d","idempotency_key":"%s-%d-%d"}}}'

function request()
   counter = counter + 1
   local ticket = (offset + counter) % tickets + 1
   local body
   if mode == "write" or (mode == "mixed" and counter % 4 == 0) then
      body = WRITE:format(counter, ticket, counter, run, thread_id, counter)
   else
      body = READ:format(counter, ticket)
   end
   return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
   if status ~= 200 then
      bad_status = bad_status + 1
      if sample == "" then sample = "HTTP " .. status .. ": " .. string.sub(body or "", 1, 300) end
   elseif string.find(body, '"isError":false', 1, true) then
      ok = ok + 1
   elseif string.find(body, '"isError":true', 1, true) then
      tool_error = tool_error + 1
      if sample == "" then sample = string.sub(body, 1, 300) end
   else
      rpc_error = rpc_error + 1
      if sample == "" then sample = string.sub(body, 1, 300) end
   end
end

local function quoted(text)
   return '"' .. text:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('[%c]', ' ') .. '"'
end

function done(summary, latency, requests)
   local totals = { ok = 0, tool_error = 0, rpc_error = 0, bad_status = 0 }
   local first_sample = ""
   for _, thread in ipairs(threads) do
      for name, _ in pairs(totals) do
         totals[name] = totals[name] + thread:get(name)
      end
      local text = thread:get("sample")
      if first_sample == "" and text ~= nil then first_sample = text end
   end
   local e = summary.errors
   io.write(string.format(
      'WRK_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
         .. '"max_us":%d,"mean_us":%.1f,"ok":%d,"tool_error":%d,"rpc_error":%d,"bad_status":%d,'
         .. '"socket_errors":%d,"timeouts":%d,"sample":%s}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
      latency:percentile(99), latency.max, latency.mean, totals.ok, totals.tool_error,
      totals.rpc_error, totals.bad_status, e.connect + e.read + e.write, e.timeout,
      quoted(first_sample)))
end
