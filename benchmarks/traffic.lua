-- wrk cycles through the real-traffic requests of benchmarks/traffic.py:
--   wrk ... http://127.0.0.1:PORT -s traffic.lua -- reads.tsv THREADS
-- Each line: METHOD<TAB>PATH<TAB>BODY<TAB>Header: value<TAB>... The requests are formatted
-- once when a thread starts; each thread begins at its own share of the file, so that the
-- threads do not ask for the same pages at the same moment.

local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local requests = {}
local count = 0
local position = 0

function init(args)
  local threads = tonumber(args[2]) or 1
  for line in io.lines(args[1]) do
    local fields = {}
    for field in (line .. "\t"):gmatch("([^\t]*)\t") do
      fields[#fields + 1] = field
    end
    local headers = {}
    for i = 4, #fields do
      local name, value = fields[i]:match("^([^:]+):%s*(.*)$")
      if name then
        headers[name] = value
      end
    end
    local body = nil
    if fields[3] ~= "" then
      body = fields[3]
    end
    count = count + 1
    requests[count] = wrk.format(fields[1], fields[2], headers, body)
  end
  if count == 0 then
    error("no requests in " .. args[1])
  end
  position = math.floor(count * (id or 0) / threads)
end

function request()
  position = position % count + 1
  return requests[position]
end
