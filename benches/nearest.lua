-- wrk script for benches/load.sh: GET /api/v1/nearest from varying origins inside urban Hanoi
-- (lon 105.78-105.87, lat 20.98-21.06), counting answers that are not 200.

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
end

function request()
  index = index + 1
  local o = origins[(index % #origins) + 1]
  local path = string.format("/api/v1/nearest?lon=%.4f&lat=%.4f&mode=motorbike&k=3", o[1], o[2])
  return wrk.format("GET", path)
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
