-- Tests of examples/lead_steps.lua (the functions of lead_pipeline), through lead_pipeline runs:
-- the module needs weft.http, weft.store and weft.slack, which only runs have.
-- Run them:  weft test examples/lead_steps_test.lua
local test = require "weft.test"

-- Runs a lead through the pipeline with the Slack step mocked.
local function run_lead(t, lead, options)
  t:mock_step("notify", { result = { status = 200 } })
  local run = t:start("lead_pipeline", lead, options)
  test.eq(run:wait(), "completed")
  return run
end

test.case("scores company emails and company names", function(t)
  local cases = {
    { { email = "ada@acme.io", company = "Acme" }, 80 },
    { { email = "ada@acme.io" }, 50 },
    { { email = "ada@gmail.com", company = "Acme" }, 40 },
    { { email = "ada@gmail.com", company = "  " }, 10 },
    { { email = "not an email", company = "Acme" }, 40 },
    { {}, 10 },
  }
  for i, case in ipairs(cases) do
    test.eq(run_lead(t, case[1]):result().score, case[2], "case " .. i)
  end
end)

test.case("trims the fields and lower-cases the email", function(t)
  run_lead(t, { id = "L-1", name = "  Ada Lovelace ", email = " ADA@Acme.IO ", company = " Acme\t" })
  test.eq(t:document("leads", "L-1"),
          { id = "L-1", name = "Ada Lovelace", email = "ada@acme.io", company = "Acme", score = 80 })
end)

test.case("keeps the raw lead untouched", function(t)
  local lead = { id = "L-1", name = " Ada ", email = "ADA@acme.io", source = "crm", tags = { "vip" } }
  run_lead(t, lead)
  test.eq(t:document("leads_raw", "L-1"), lead)
end)

test.case("a lead without an id is keyed by its step", function(t)
  local run = run_lead(t, { name = "Ada", email = "ada@acme.io" }, { id = "lead-run" })
  test.eq(run:result().id, "lead-run:1")
  test.eq(t:document("leads_raw", "lead-run:1"), { name = "Ada", email = "ada@acme.io" })
  test.eq(t:document("leads", "lead-run:1").name, "Ada")
end)

test.case("storing a known lead gives its next version", function(t)
  t:put_document("leads", "L-1", { id = "L-1", score = 1 })
  local run = run_lead(t, { id = "L-1", email = "ada@acme.io" })
  test.eq(run:history()[4].result, { version = 2 })
  local doc, version = t:document("leads", "L-1")
  test.eq({ doc.score, version }, { 50, 2 })
end)

test.case("posts the lead to slack as blocks", function(t)
  t:secret("slack.webhook_url", "https://hooks.slack.com/services/T/B/x")
  local slack = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", body = "ok" }
  local run = t:start("lead_pipeline", { id = "L-1", name = "Ada", email = "ada@acme.io", company = "Acme" })
  run:wait()
  local call = slack:calls()[1]
  test.eq(call.headers["content-type"], "application/json")
  test.eq(call.json, {
    text = "New lead: Ada",
    blocks = {
      { type = "header", text = { type = "plain_text", text = "New lead: Ada", emoji = true } },
      { type = "section", fields = {
        { type = "mrkdwn", text = "*Email*\nada@acme.io" },
        { type = "mrkdwn", text = "*Company*\nAcme" },
        { type = "mrkdwn", text = "*Score*\n80" },
      } },
    },
  })
  test.eq(run:history()[5].result, { status = 200 })
end)

test.case("escapes what the lead says in slack fields", function(t)
  t:secret("slack.webhook_url", "https://hooks.slack.com/services/T/B/x")
  local slack = t:mock_http { method = "POST", url = "https://hooks.slack.com/*", body = "ok" }
  t:start("lead_pipeline", { name = "Ada", email = "ada@acme.io", company = "<!channel> & Co" }):wait()
  test.eq(slack:calls()[1].json.blocks[2].fields[2].text, "*Company*\n&lt;!channel&gt; &amp; Co")
end)

test.case("the summary says when slack failed", function(t)
  t:mock_step("notify", { error = { kind = "http", message = "slack answered 500", retryable = false } })
  local run = t:start("lead_pipeline", { id = "L-1", email = "ada@gmail.com" })
  test.eq(run:wait(), "completed")
  test.eq(run:result(), { id = "L-1", score = 10, notified = false })
end)
