package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
request = c.cycle_ids("/api/v1/vendors/%s", "BENCH_VENDOR_IDS")
