-- scans.lua - wrk's requests for `make bench` (run.sh): a device reports
-- RFID scans (POST /api/v1/access/scans), each of a random tag among the
-- bench's (uid = the holder's id, 8 hex digits; every TAG_EVERY-th user
-- from TAG_LO to TAG_HI holds one), at the device SCAN_UNIT.
local lo = tonumber(os.getenv("TAG_LO"))
local hi = tonumber(os.getenv("TAG_HI"))
local every = tonumber(os.getenv("TAG_EVERY"))
local unit = os.getenv("SCAN_UNIT")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
	local holder = math.random(math.floor(lo / every),
	    math.floor(hi / every)) * every
	local body = string.format('{"unit_id":"%s","rfid":"%08X"}', unit, holder)
	return wrk.format(nil, nil, nil, body)
end
