package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
local ids = c.lines(os.getenv("BENCH_VENDOR_IDS"))
local levels = { "low", "medium", "high", "critical" }
local i = 0
request = function()
  i = i + 1
  local body = '{"criticality":"' .. levels[i % 4 + 1] .. '","description":"bench update ' .. i .. '"}'
  return wrk.format("PATCH", "/api/v1/vendors/" .. ids[(i * 7919) % #ids + 1], c.headers, body)
end
