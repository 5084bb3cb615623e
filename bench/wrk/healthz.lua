-- The framework ceiling: a route that touches no database.
request = function() return wrk.format("GET", "/healthz") end
