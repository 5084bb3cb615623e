package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
-- Unique names per run (bench/run sets BENCH_RUN) and thread, so every request creates a vendor
-- (and its audit event and outbox row).
local counter = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
request = function()
  counter = counter + 1
  local body = '{"name":"Bench ' .. os.getenv("BENCH_RUN") .. '-' .. tostring(tid) .. '-' .. counter .. '","handles_pi":true,"access":"stores","pi_elements":["ssn"],"criticality":"high","tags":["bench"]}'
  return wrk.format("POST", "/api/v1/vendors", c.headers, body)
end
