package.path = package.path .. ";" .. os.getenv("BENCH_WRK_DIR") .. "/?.lua"
local c = require("common")
local ids = c.lines(os.getenv("BENCH_CONTRACT_IDS"))
request = c.cycle_gets(c.paths("/api/v1/contracts/%s/compliance?as_of=2015-06-01", ids), c.headers)
