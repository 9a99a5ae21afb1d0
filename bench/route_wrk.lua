-- bench.route's wrk script: every request is a distinct, pre-built signed + encrypted callback, sent once.
-- Thread N reads <prefix>N: per request a path line, a header-count line, "Name: value" lines, a body-length
-- line, the body and a newline. A thread stops when its requests are used up.
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local reqs, i, n = {}, 0, 0
function init(args)
  local f = assert(io.open(args[1] .. id, "rb"))
  while true do
    local path = f:read("*l")
    if not path then break end
    local headers = {}
    for _ = 1, tonumber(f:read("*l")) do
      local name, value = f:read("*l"):match("^(.-): (.*)$")
      headers[name] = value
    end
    local body = f:read(tonumber(f:read("*l")))
    f:read("*l")
    n = n + 1
    reqs[n] = wrk.format("POST", path, headers, body)
  end
  f:close()
end

function request()
  i = i + 1
  if i >= n then wrk.thread:stop() end
  return reqs[math.min(i, n)]
end
