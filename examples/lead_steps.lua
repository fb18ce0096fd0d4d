-- lead_steps: the functions of examples/lead_pipeline.lua, a plain module
-- of the workflows folder (it returns a table, not a workflow, so it is
-- not loaded as one). A pipeline names them as "lead_steps.refine".
-- Each step function gets (ctx, state): state.input is the run's input
-- and state.<step name> the result of each earlier step.
local http = require "weft.http"
local secrets = require "weft.secrets"
local slack = require "weft.slack"
local store = require "weft.store"

local steps = {}

local function trim(text)
  return (tostring(text or ""):gsub("^%s+", ""):gsub("%s+$", ""))
end

-- The lead as it came in, kept untouched for audits and replays.
function steps.store_raw(ctx, state)
  local id = state.input.id or ctx.step_key
  store.put("leads_raw", id, state.input)
  return { id = id }
end

-- Normalised fields and a score (a real one would call an enrichment API).
function steps.refine(ctx, state)
  local lead = state.input
  local email = trim(lead.email):lower()
  local score = 10
  if email:match("@") and not email:match("@gmail%.com$") then score = score + 40 end
  if trim(lead.company) ~= "" then score = score + 30 end
  return { id = state.store_raw.id, name = trim(lead.name), email = email,
           company = trim(lead.company), score = score }
end

function steps.store_refined(ctx, state)
  return { version = store.put("leads", state.refine.id, state.refine) }
end

-- Slack being down must not fail the run: the pipeline marks this step
-- optional, so a failure after its retries is recorded in the state.
function steps.notify_slack(ctx, state)
  local lead = state.refine
  local message = slack.message {
    text = "New lead: " .. lead.name,
    blocks = {
      slack.header("New lead: " .. lead.name),
      slack.fields({ { "Email", lead.email }, { "Company", lead.company }, { "Score", lead.score } }),
    },
  }
  local response = http.post(secrets.get("slack.webhook_url"), { json = message, raise = true })
  return { status = response.status }
end

function steps.summary(state)
  return { id = state.refine.id, score = state.refine.score, notified = state.notify.ok ~= false }
end

return steps
