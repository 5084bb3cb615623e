package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
-- A filtered first page of 50, rotating over filters that each have an index.
request = c.cycle_gets({
  "/api/v1/vendors?status=active&limit=50",
  "/api/v1/vendors?risk_tier=1&limit=50",
  "/api/v1/vendors?handles_pi=true&limit=50&sort=-name",
  "/api/v1/vendors?tag=payroll&limit=50",
}, c.headers)
