-- Tests of examples/github_webhook.lua: signed GitHub deliveries through the
-- webhook route weft serve answers (signature, dedup, limit, event mapping).
-- Run them:  weft test examples/github_webhook_test.lua
local test = require "weft.test"

local SECRET = "It's a Secret to Everybody"

-- A delivery as GitHub sends it, signed with `secret`.
local function delivery(t, kind, payload, options)
  options = options or {}
  local body = options.body or string.format(
    '{"action":%q,"repository":{"full_name":"weft/weft"},"sender":{"login":"octocat"},"n":%d}',
    payload.action or "opened", payload.n or 1)
  return t:webhook("/hooks/github", {
    body = body,
    headers = {
      ["X-GitHub-Event"] = kind,
      ["X-GitHub-Delivery"] = options.id or "d-1",
      ["X-Hub-Signature-256"] = "sha256=" .. test.hmac("sha256", options.secret or SECRET, body),
      ["Content-Type"] = "application/json",
    },
  })
end

test.case("a signed delivery starts a run with the mapped input", function(t)
  t:secret("github.webhook", SECRET)
  local answer, run = delivery(t, "pull_request", { action = "opened" })
  test.eq(answer.status, 202)
  test.eq(run.id, answer.body.run_id)
  test.eq(run:record().input, { event = "pull_request", action = "opened", repository = "weft/weft", sender = "octocat" })
  test.eq(run:result(), { summary = "pull_request opened on weft/weft by octocat" })
end)

test.case("a delivery signed with another secret is refused", function(t)
  t:secret("github.webhook", SECRET)
  local answer, run = delivery(t, "push", {}, { secret = "not the secret" })
  test.eq(answer.status, 401)
  test.eq(run, nil)
  test.eq(#t:runs(), 0)
end)

test.case("a ping starts no run", function(t)
  t:secret("github.webhook", SECRET)
  local answer = delivery(t, "ping", {})
  test.eq(answer, { status = 200, body = { ignored = true } })
  test.eq(#t:runs(), 0)
end)

test.case("a redelivery with the same delivery id starts no second run", function(t)
  t:secret("github.webhook", SECRET)
  local first, run = delivery(t, "issues", { action = "closed" }, { id = "d-42" })
  local again = delivery(t, "issues", { action = "closed" }, { id = "d-42" })
  test.eq(first.status, 202)
  test.eq(again.status, 200)
  test.eq(again.body.duplicate, true)
  test.eq(#t:runs(), 1)
  test.eq(run:result(), { summary = "issues closed on weft/weft by octocat" })
end)

test.case("more than 20 deliveries in a second are limited until time passes", function(t)
  t:secret("github.webhook", SECRET)
  for n = 1, 20 do
    test.eq(delivery(t, "push", { n = n }, { id = "burst-" .. n }).status, 202)
  end
  local limited = delivery(t, "push", { n = 21 }, { id = "burst-21" })
  test.eq(limited.status, 429)
  t:advance("1s")
  test.eq(delivery(t, "push", { n = 21 }, { id = "burst-21" }).status, 202)
  test.eq(#t:runs { status = "completed" }, 21)
end)

test.case("fills in what the delivery lacks", function(t)
  t:secret("github.webhook", SECRET)
  local answer, run = delivery(t, "push", {}, { body = "{}" })
  test.eq(answer.status, 202)
  test.eq(run:result(), { summary = "push - on ? by ?" })
end)
