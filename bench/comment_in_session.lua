-- wrk script: as bench/comment.lua, but every request carries a fresh Idempotency-Key: the comment then
-- commits in the request's session (with its stored response) instead of the write lane.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
local tid = 0
local counter = 1
function setup(thread) thread:set("tid", counter); counter = counter + 1 end
request = function()
  n = n + 1
  wrk.headers["Idempotency-Key"] = "k-" .. tostring(tid) .. "-" .. n .. "-" .. tostring(math.random(1, 1000000000))
  return wrk.format(nil, nil, nil, '{"content":"benchmark comment number ' .. n .. ' about session tokens"}')
end
