-- wrk script: each request takes the next "token<TAB>json body" line of a file; threads interleave,
-- so no line is sent twice until the file is exhausted. Usage: wrk -s post_bodies.lua URL -- FILE THREADS
local lines = {}
local counter, step = 0, 1
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local token, body = line:match("([^\t]*)\t(.*)")
    table.insert(lines, wrk.format("POST", nil, {["Authorization"] = "Bearer " .. token,
                                                 ["Content-Type"] = "application/json"}, body))
  end
  counter = id
  step = tonumber(args[2])
end

function request()
  local req = lines[counter % #lines + 1]
  counter = counter + step
  return req
end
