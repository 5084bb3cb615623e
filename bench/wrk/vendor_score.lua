package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
local ids = c.lines(os.getenv("BENCH_VENDOR_IDS"))
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/vendors/" .. ids[(i * 7919) % #ids + 1] .. "/score?as_of=2026-06-01", c.headers)
end
