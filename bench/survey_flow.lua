-- wrk script: each connection (one per thread) plays one resident after another answering a questionnaire.
-- A resident GETs the survey page, POSTs the page's answers with the form's CSRF token, page index and
-- submission key, follows the redirect to the next page until the last one, and is thanked. Then the
-- connection drops every cookie and starts again as a new browser (the survey accepts one response per browser).
--
-- wrk hands Lua only the LAST Set-Cookie header of a response, so the survey's own two cookies (sv<id>_d,
-- sv<id>_r: dedup and resume tokens, set beside the session cookie) cannot be read back. The first GET goes
-- without them, as a new browser's does, and the server mints and sets them; from then on the script sends
-- tokens of the same form it mints itself, which the server cannot tell from its own (they are random).
local take_path = os.getenv("TAKE_PATH")
local survey_id = os.getenv("SURVEY_ID")

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

-- ANSWERS_FILE: one line per answer set, "<page index>\t<urlencoded fields of that page>".
local answers = {}
local sets = 0

local function load_answers()
  for line in io.lines(os.getenv("ANSWERS_FILE")) do
    local page, fields = line:match("^(%d+)\t(.*)$")
    page = tonumber(page)
    answers[page] = answers[page] or {}
    table.insert(answers[page], fields)
  end
  sets = #answers[0]
end

local token_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

local function new_token()
  local chars = {}
  for i = 1, 32 do
    local n = math.random(1, 64)
    chars[i] = token_alphabet:sub(n, n)
  end
  return table.concat(chars)
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- Per connection: the cookie jar, the step, and what the clients were told.
local jar, own_tokens, body, pending, answer_set
thanked, already, refused, failed, responses_started = "", 0, 0, 0, 0

local function new_browser()
  jar = {}
  own_tokens = nil
  responses_started = responses_started + 1
  answer_set = (responses_started + thread_id * 7919) % sets + 1
end

function init(args)
  -- SEED tells apart wrk processes started in the same second (bench/two_hosts.py runs one per host): the same
  -- seed would mint the same browser tokens in both, and the second would be told it had already answered.
  math.randomseed(os.time() * 1000 + thread_id + 100000 * (tonumber(os.getenv("SEED")) or 0))
  load_answers()
  new_browser()
end

local function cookie_header()
  local parts = {}
  for name, value in pairs(jar) do table.insert(parts, name .. "=" .. value) end
  return table.concat(parts, "; ")
end

function request()
  local headers = { ["Cookie"] = cookie_header() }
  if body == nil then
    return wrk.format("GET", take_path, headers)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format("POST", take_path, headers, body)
end

local function keep_cookie(set_cookie)
  if set_cookie then
    local name, value = set_cookie:match("^([^=]+)=([^;]*)")
    if name then jar[name] = value end
  end
end

local function read_form(resp_body)
  local csrf = resp_body:match('name="csrf_token" value="([^"]+)"')
  local key = resp_body:match('name="submission_key" value="([^"]+)"')
  local page = resp_body:match('name="page_index" value="(%d+)"')
  if not (csrf and key and page) then return nil end
  local action = resp_body:find('name="action" value="submit"', 1, true) and "submit" or "next"
  pending = key
  return "csrf_token=" .. urlencode(csrf) .. "&submission_key=" .. urlencode(key) .. "&page_index=" .. page
    .. "&action=" .. action .. "&" .. answers[tonumber(page)][answer_set]
end

local function start_over()
  body = nil
  new_browser()
end

function response(status, headers, resp_body)
  keep_cookie(headers["Set-Cookie"])
  if not own_tokens then
    -- After the first response, as after a browser stores the cookies it was sent (see the note above).
    own_tokens = true
    jar["sv" .. survey_id .. "_d"] = new_token()
    jar["sv" .. survey_id .. "_r"] = new_token()
  end
  if body == nil then  -- a GET: the page to answer
    body = status == 200 and read_form(resp_body)
    if not body then
      failed = failed + 1
      start_over()
    end
    return
  end
  -- A POST: a redirect to the next page, the thanks, or the page shown again with errors.
  if status == 303 or status == 302 then
    body = nil
  elseif status == 200 and resp_body:find("flash-success", 1, true) then
    thanked = thanked .. pending .. "\n"
    start_over()
  elseif status == 200 and resp_body:find("flash-info", 1, true) then
    already = already + 1
    start_over()
  else
    refused = refused + 1
    start_over()
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("THANKS_FILE"), "w")
  local totals = { already = 0, refused = 0, failed = 0 }
  for _, thread in ipairs(threads) do
    out:write(thread:get("thanked"))
    for name in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  out:close()
  local counts = io.open(os.getenv("THANKS_FILE") .. ".counts", "w")
  counts:write(string.format("already %d\nrefused %d\nfailed %d\n", totals.already, totals.refused, totals.failed))
  counts:close()
end
