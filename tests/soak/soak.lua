-- soak.lua - wrk's requests for `make soak` (run.sh): one page per wrk,
-- named by SOAK_PAGE. The lists walk their first 200 pages at random; the
-- writes rename a random generated user (USER_LO..USER_HI) through the
-- API; the sign-in posts SOAK_BODY (the login form, with its token) and
-- is answered with a redirect.
local page = os.getenv("SOAK_PAGE")
local body = os.getenv("SOAK_BODY")
local lo = tonumber(os.getenv("USER_LO"))
local hi = tonumber(os.getenv("USER_HI"))
local counter = 0

-- wrk.format() takes its headers instead of wrk.headers (which hold the
-- -H cookie or token), so a request with a body gets both.
local function with_body_headers(content_type)
	local h = {}
	for k, v in pairs(wrk.headers) do h[k] = v end
	h["Content-Type"] = content_type
	return h
end

request = function()
	counter = counter + 1
	if page == "sign-in" then
		return wrk.format("POST", nil,
		    with_body_headers("application/x-www-form-urlencoded"), body)
	elseif page == "users-list" or page == "devices-list" then
		return wrk.format("GET", wrk.path .. "?page=" .. math.random(1, 200))
	elseif page == "user-write" then
		local id = math.random(lo, hi)
		return wrk.format("PATCH", wrk.path .. "/" .. id,
		    with_body_headers("application/json"),
		    string.format('{"full_name":"Soak %d"}', counter))
	end
	return wrk.format("GET")
end

-- The statuses other than the page's own (303 for the sign-in, 200 for
-- the others: a list answered 303 would be a session gone, sent to the
-- login page), by status, printed at the end: "unexpected: 303=12 502=1".
local expected = page == "sign-in" and 303 or 200
local threads = {}

setup = function(thread)
	table.insert(threads, thread)
end

init = function()
	unexpected = {}
end

response = function(status)
	if status ~= expected then
		unexpected[status] = (unexpected[status] or 0) + 1
	end
end

done = function()
	local parts = {}
	for _, thread in ipairs(threads) do
		for status, n in pairs(thread:get("unexpected")) do
			table.insert(parts, status .. "=" .. n)
		end
	end
	print("unexpected: " .. table.concat(parts, " "))
end
