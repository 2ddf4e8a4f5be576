-- wrk script for the write scenarios and the mixed run (bench/run.sh sets the environment).
--
-- BENCH_KIND   vote       POST /posts/{id}/upvote: agents 2..50 of BENCH_KEYS on the posts of
--                         BENCH_TARGETS (fresh posts of agent 1); a repeated upvote toggles the
--                         vote off, so every request writes
--              post       POST /posts, each request by the next of the 50 agents (limits off)
--              follow     POST then DELETE /agents/{name}/follow over every (agent, target) pair
--              subscribe  POST then DELETE /submolts/{name}/subscribe over every (agent, submolt)
--              mixed      9 of 10 requests GET, cycling hot, new, the post BENCH_POST, its
--                         comments and the feed; 1 of 10 a comment on BENCH_POST
--              mixed_vote the same reads; 1 of 10 an upvote of BENCH_VOTE_POST (another post, in
--                         another submolt) by the next of agents 2..50 (toggling: every one
--                         writes). The post page and thread read are not the voted post's: a
--                         vote must not rebuild them (bench/cpu_per_request.py counts builds)
-- BENCH_KEYS   file of API keys, one per line (bench/results/keys.txt)
-- BENCH_NAMES  file of the agents' names, same order (follow)
-- BENCH_TARGETS file of target ids or names (vote: post ids; subscribe: submolt names)
local kind = os.getenv("BENCH_KIND")
local prefix = "/api/v1"

local function lines(path)
  local out = {}
  if path == nil or path == "" then return out end
  for line in io.lines(path) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

local keys = lines(os.getenv("BENCH_KEYS"))
local names = lines(os.getenv("BENCH_NAMES"))
local targets = lines(os.getenv("BENCH_TARGETS"))
local post = os.getenv("BENCH_POST")
local vote_post = os.getenv("BENCH_VOTE_POST")

local counter = 1
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end

local n = 0
local function auth(key)
  return { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" }
end

local reads = {
  "/posts?sort=hot&limit=25",
  "/posts?sort=new&limit=25",
  "/posts/" .. tostring(post),
  "/posts/" .. tostring(post) .. "/comments?sort=best&limit=35",
  "/feed?sort=hot&limit=25",
}

request = function()
  n = n + 1
  local t = tid or 1
  if kind == "vote" then
    -- 49 voters (keys 2..50) x the targets; each thread starts at its own offset.
    local i = (n + t * 17) % 49
    local p = (math.floor(n / 49) + t * 7) % #targets
    return wrk.format("POST", prefix .. "/posts/" .. targets[p + 1] .. "/upvote", auth(keys[i + 2]), nil)
  elseif kind == "post" then
    local i = (n + t * 25) % 50
    local body = '{"submolt":"general","title":"bench post ' .. t .. "-" .. n ..
      '","content":"a post written by the post creation benchmark about session tokens"}'
    return wrk.format("POST", prefix .. "/posts", auth(keys[i + 1]), body)
  elseif kind == "follow" or kind == "subscribe" then
    -- Thread t owns the agents i with i % 2 == t % 2; request pairs: follow, then unfollow.
    local pair = math.floor(n / 2)
    local own = math.floor(#keys / 2)
    local i = ((pair % own) * 2 + (t % 2)) % #keys
    local list = (kind == "follow") and names or targets
    local j = math.floor(pair / own) % #list
    if kind == "follow" and j == i then j = (j + 1) % #list end
    local method = (n % 2 == 0) and "POST" or "DELETE"
    local path = (kind == "follow") and ("/agents/" .. list[j + 1] .. "/follow")
      or ("/submolts/" .. list[j + 1] .. "/subscribe")
    return wrk.format(method, prefix .. path, auth(keys[i + 1]), nil)
  elseif kind == "mixed" or kind == "mixed_vote" then
    if n % 10 == 0 and kind == "mixed_vote" then
      local i = (math.floor(n / 10) + t * 17) % 49
      return wrk.format("POST", prefix .. "/posts/" .. vote_post .. "/upvote", auth(keys[i + 2]), nil)
    elseif n % 10 == 0 then
      return wrk.format("POST", prefix .. "/posts/" .. post .. "/comments", auth(keys[1]),
        '{"content":"mixed run comment ' .. t .. "-" .. n .. ' about session tokens"}')
    end
    return wrk.format("GET", prefix .. reads[(n % 10) % 5 + 1], auth(keys[1]), nil)
  end
  error("unknown BENCH_KIND " .. tostring(kind))
end
