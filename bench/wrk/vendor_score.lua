package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
local ids = c.lines(os.getenv("BENCH_VENDOR_IDS"))
request = c.cycle_gets(c.paths("/api/v1/vendors/%s/score?as_of=2026-06-01", ids), c.headers)
