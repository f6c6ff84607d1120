-- wrk script for benches/load.sh: one endpoint per run, chosen by the environment.
--   LOAD_KIND = nearest   GET /api/v1/nearest from varying origins inside urban Hanoi
--               evaluate  POST /api/v1/evaluate of the scenario in LOAD_BODY (a file), with the
--                         load, queues and fairness the planner's app shows
--               coverage  the same with `?service=false`: the coverage alone
--               scenarios GET the scenario list (paged), one saved scenario and the baseline
-- Every request carries the write token (MOTCUA_TOKEN): the bench measures the planners' app,
-- not the anonymous per-client budget (which answers 429 by design). Answers that are not 200
-- are counted and printed as `non_200_responses N`.

local kind = os.getenv("LOAD_KIND") or "nearest"
local token = os.getenv("MOTCUA_TOKEN") or ""
local saved_id = os.getenv("LOAD_SCENARIO_ID") or "baseline"
local body = nil

local origins = {
  {105.8342, 21.0278}, -- Hoàn Kiếm lake
  {105.8412, 21.0245}, -- Hai Bà Trưng north
  {105.8194, 21.0368}, -- Ba Đình
  {105.8000, 21.0300}, -- Cầu Giấy
  {105.8230, 21.0150}, -- Đống Đa
  {105.8050, 20.9950}, -- Thanh Xuân
  {105.8450, 21.0050}, -- Hai Bà Trưng south
  {105.7900, 21.0500}, -- Bắc Từ Liêm south
  {105.8600, 21.0400}, -- Long Biên west
  {105.8150, 21.0550}, -- Tây Hồ
  {105.7850, 20.9900}, -- Hà Đông north
  {105.8650, 20.9850}, -- Hoàng Mai
}

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  index = 0
  if kind == "evaluate" or kind == "coverage" then
    local file = assert(io.open(os.getenv("LOAD_BODY"), "rb"))
    body = file:read("*a")
    file:close()
  end
end

function request()
  index = index + 1
  local headers = { ["Authorization"] = "Bearer " .. token }
  if kind == "evaluate" or kind == "coverage" then
    headers["Content-Type"] = "application/json"
    local path = kind == "coverage" and "/api/v1/evaluate?service=false" or "/api/v1/evaluate"
    return wrk.format("POST", path, headers, body)
  elseif kind == "scenarios" then
    local paths = {
      "/api/v1/scenarios?limit=20",
      "/api/v1/scenarios/" .. saved_id,
      "/api/v1/scenarios/baseline",
    }
    return wrk.format("GET", paths[(index % #paths) + 1], headers)
  end
  local o = origins[(index % #origins) + 1]
  local path = string.format("/api/v1/nearest?lon=%.4f&lat=%.4f&mode=motorbike&k=3", o[1], o[2])
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("errors") or 0)
  end
  io.write(string.format("non_200_responses %d\n", bad))
end
