package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
-- The framework ceiling: a route that touches no database.
request = c.cycle_gets({ "/healthz" }, {})
