package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
request = c.cycle_gets(c.paths("/api/v1/vendors/%s", c.lines(os.getenv("BENCH_VENDOR_IDS"))), c.headers)
