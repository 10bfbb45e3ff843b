-- Replays prepared requests: one line per request, "METHOD\tPATH\tCOOKIE\tBODY".
-- Run with as many threads as connections (one connection per thread), so each
-- thread's responses arrive in the order of its requests: the benchmark then knows
-- exactly which request every 303 acknowledged. Thread i of n takes lines i, i+n, ...
-- Arguments: LINES_FILE THREADS OUT_PREFIX (acknowledged line numbers go to
-- OUT_PREFIX-<thread>.acked, the one unanswered request at the end to .inflight).
-- The numbers are kept in memory and written once at the end, so that tracking costs
-- the load generator no file writes while it runs.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  lines = {}
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)")
    table.insert(lines, {method = method, path = path, cookie = cookie, body = body})
  end
  nthreads = tonumber(args[2])
  prefix = args[3]
  start = ((id - 1) % #lines) + 1
  index = start
  wrapped = false
  pending = nil
  acked = 0
  other = 0
  tracking = prefix ~= ""
  acked_lines = {}
  if not tracking then
    -- Nothing to count: without a response() function wrk neither copies headers and
    -- bodies into Lua nor calls it, so a big page costs the load generator no more than
    -- a small one. wrk still counts statuses above 399 and socket errors itself.
    response = nil
  end
end

function request()
  local item = lines[index]
  pending = index
  index = index + nthreads
  if index > #lines then index = start; wrapped = true end
  local headers = {}
  if item.cookie ~= "" then headers["Cookie"] = item.cookie end
  if item.method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", item.path, headers, item.body)
  end
  return wrk.format(item.method, item.path, headers)
end

function response(status, headers, body)
  if status == 303 and not wrapped then
    acked = acked + 1
    if tracking then acked_lines[#acked_lines + 1] = pending end
  else
    other = other + 1
  end
  pending = nil
end

function done(summary, latency, requests)
  local total_acked, total_other = 0, 0
  for _, thread in ipairs(threads) do
    total_acked = total_acked + thread:get("acked")
    total_other = total_other + thread:get("other")
    if thread:get("tracking") then
      local name = thread:get("prefix") .. "-" .. thread:get("id")
      local f = io.open(name .. ".acked", "w")
      for _, line in ipairs(thread:get("acked_lines")) do f:write(line .. "\n") end
      f:close()
      f = io.open(name .. ".inflight", "w")
      local pending = thread:get("pending")
      if pending then f:write(pending .. "\n") end
      f:close()
    end
  end
  io.write(string.format("ACKED %d\nOTHER %d\n", total_acked, total_other))
end
