-- wrk script: POST a comment (JSON) on every request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"content":"benchmark comment number ' .. n .. ' about session tokens"}')
end
