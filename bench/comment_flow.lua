-- wrk script: each connection (one per thread) plays a resident who opens the comment form, then posts it
-- with the form's CSRF token and submission key, and keeps the submission keys it was given a receipt for.
local form_path = os.getenv("FORM_PATH")
local post_path = os.getenv("POST_PATH")
local unit_key = os.getenv("UNIT_KEY") or ""

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

state, cookie, body, pending = "get", nil, nil, nil
received, refused, forms, counter = "", 0, 0, 0

local text = "建议第三条增加对夜间充电的巡查要求，物业应当每日两次巡查充电场所，并做好记录。压测意见第"

function request()
  if state == "get" then
    local headers = {}
    if cookie then headers["Cookie"] = cookie end
    return wrk.format("GET", form_path, headers)
  end
  return wrk.format("POST", post_path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = cookie,
  }, body)
end

function response(status, headers, resp_body)
  if state == "get" then
    local set_cookie = headers["Set-Cookie"]
    if set_cookie then cookie = set_cookie:match("^([^;]+)") end
    local csrf = resp_body:match('name="csrf_token"[^>]-value="([^"]+)"')
    local key = resp_body:match('name="submission_key" type="hidden" value="([^"]+)"')
    if status == 200 and csrf and key then
      forms = forms + 1
      counter = counter + 1
      pending = key
      body = "csrf_token=" .. urlencode(csrf) .. "&submission_key=" .. key .. "&unit_key=" .. urlencode(unit_key)
        .. "&content=" .. urlencode(text .. thread_id .. "-" .. counter .. "条。")
        .. "&author_name=" .. urlencode("压测居民" .. thread_id) .. "&respondent_type=individual&privacy_ack=y"
      state = "post"
    end
    return
  end
  if status == 303 or status == 302 then
    received = received .. pending .. "\n"
  else
    refused = refused + 1
  end
  state = "get"
end

function done(summary, latency, requests)
  local path = os.getenv("RECEIPTS_FILE")
  local out = io.open(path, "w")
  local total_refused, total_forms = 0, 0
  for _, thread in ipairs(threads) do
    out:write(thread:get("received"))
    total_refused = total_refused + thread:get("refused")
    total_forms = total_forms + thread:get("forms")
  end
  out:close()
  io.stderr:write(string.format("forms %d refused %d\n", total_forms, total_refused))
end
