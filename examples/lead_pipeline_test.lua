-- Tests of examples/lead_pipeline.lua: store raw, sleep ten minutes, refine, store, announce on Slack.
-- Run them:  weft test examples/lead_pipeline_test.lua
local test = require "weft.test"

local SLACK = "https://hooks.slack.com/services/T/B/x"
local LEAD = { id = "L-1", name = " Ada ", email = "ADA@acme.io", company = "Acme" }

-- The attempts of the notify step as { attempt, status, backoff in ms }.
local function notify_attempts(run)
  local seen = {}
  for _, event in ipairs(run:history()) do
    if event.name == "notify" then
      seen[#seen + 1] = { event.attempt, event.status, event.fire_at and event.fire_at - event.ended_at }
    end
  end
  return seen
end

test.case("stores the raw lead, then sleeps ten minutes", function(t)
  local run = t:start("lead_pipeline", LEAD)
  test.eq(run:status(), "sleeping")
  test.eq(t:documents("leads_raw"), { ["L-1"] = LEAD })
  test.eq(t:documents("leads"), {})
  test.eq(#t:http_calls(), 0)
end)

test.case("refines, stores and announces the lead", function(t)
  t:secret("slack.webhook_url", SLACK)
  local slack = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", body = "ok" }
  local run = t:start("lead_pipeline", LEAD)
  t:advance("9m")
  test.eq(run:status(), "sleeping")
  t:advance("1m")
  test.eq(run:status(), "completed")
  test.eq(run:result(), { id = "L-1", score = 80, notified = true })
  local names = {}
  for _, event in ipairs(run:history()) do names[#names + 1] = event.name end
  test.eq(names, { "store_raw", "sleep", "refine", "store", "notify" })
  test.eq(t:document("leads", "L-1"),
          { id = "L-1", name = "Ada", email = "ada@acme.io", company = "Acme", score = 80 })
  test.eq(slack:count(), 1)
  test.eq({ slack:calls()[1].method, slack:calls()[1].url }, { "POST", SLACK })
end)

test.case("slack down leaves the lead stored and not notified", function(t)
  t:secret("slack.webhook_url", SLACK)
  local slack = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", status = 503 }
  local run = t:start("lead_pipeline", LEAD)
  test.eq(run:wait(), "completed")
  test.eq(run:result(), { id = "L-1", score = 80, notified = false })
  test.eq(slack:count(), 3)
  test.eq(notify_attempts(run), { { 1, "retrying", 1000 }, { 2, "retrying", 2000 }, { 3, "failed" } })
  test.eq(t:document("leads", "L-1").score, 80)
end)

test.case("the slack url stays out of recorded errors", function(t)
  t:secret("slack.webhook_url", SLACK)
  t:mock_http { method = "POST", url = "https://hooks.slack.com/*", status = 503 }
  local run = t:start("lead_pipeline", LEAD)
  run:wait()
  local history = run:history()
  test.eq(history[#history].error.message, "POST [secret:slack.webhook_url] answered 503")
end)

test.case("slack is retried after a failed connection and a Retry-After", function(t)
  t:secret("slack.webhook_url", SLACK)
  local refused = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", error = "connect", times = 1 }
  local busy = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", status = 429,
                             headers = { ["Retry-After"] = "30" }, times = 1 }
  local slack = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", body = "ok" }
  local started = t:now()
  local run = t:start("lead_pipeline", LEAD)
  test.eq(run:wait(), "completed")
  test.eq(run:result().notified, true)
  test.eq({ refused:count(), busy:count(), slack:count() }, { 1, 1, 1 })
  test.eq(t:now() - started, (600 + 1 + 30) * 1000, "10m sleep, 1s backoff, 30s Retry-After")
end)

test.case("a missing slack secret does not lose the lead", function(t)
  local run = t:start("lead_pipeline", LEAD)
  test.eq(run:wait(), "completed")
  test.eq(run:result(), { id = "L-1", score = 80, notified = false })
  test.eq(#t:http_calls(), 0)
  test.eq(t:document("leads", "L-1").email, "ada@acme.io")
end)

test.case("a lead started twice with its id as key is announced once", function(t)
  t:secret("slack.webhook_url", SLACK)
  local slack = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", body = "ok" }
  local first = t:start("lead_pipeline", LEAD, { idempotency_key = LEAD.id })
  local again = t:start("lead_pipeline", LEAD, { idempotency_key = LEAD.id })
  test.eq(again.id, first.id)
  t:advance("10m")
  test.eq(#t:runs { workflow = "lead_pipeline", status = "completed" }, 1)
  test.eq(slack:count(), 1)
end)
