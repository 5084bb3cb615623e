-- Shared by the scenarios: the bearer token and a list of ids, both from the environment.
local M = {}

function M.lines(path)
  local t = {}
  if path == nil then return t end
  for line in io.lines(path) do
    if line ~= "" then t[#t + 1] = line end
  end
  return t
end

M.token = os.getenv("BENCH_TOKEN")
M.headers = { ["Authorization"] = "Bearer " .. (M.token or ""), ["Content-Type"] = "application/json" }

return M
