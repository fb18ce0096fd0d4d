-- lead_pipeline: a workflow declared as data. A lead arrives (webhook or
-- API), is stored raw, waits ten minutes (the CRM fills in more fields
-- meanwhile), is refined and stored, then announced on Slack. Each entry
-- is the durable call a hand-written body would make: the same history,
-- replay, retries and limits. The functions live in lead_steps.lua.
--
-- Set up and serve:
--   weft secrets set slack.webhook_url --value 'https://hooks.slack.com/services/...'
--   weft secrets set crm.webhook --value '<signing secret>'
--   weft serve --workflows examples
-- Start one by hand (it sleeps ten minutes before refining):
--   curl -d '{"id":"L-1","name":" Ada ","email":"ADA@acme.io","company":"Acme"}' \
--        http://127.0.0.1:8080/v1/workflows/lead_pipeline/runs
-- Draw it:  weft show lead_pipeline --workflows examples --format mermaid
local weft = require "weft"

return weft.pipeline {
  name = "lead_pipeline",
  on = {
    weft.webhook { path = "/hooks/leads", dedup = "json:id",
                   verify = weft.verify.hmac { secret = "crm.webhook", header = "X-CRM-Signature" } },
  },
  retry = { attempts = 5, initial = "2s", backoff = 2.0, max = "5m" },
  secrets = { "slack.webhook_url" },
  steps = {
    { "store_raw", "lead_steps.store_raw" },
    { sleep = "10m" },
    { "refine", "lead_steps.refine" },
    { "store", "lead_steps.store_refined" },
    -- A failure after three attempts leaves state.notify = { ok = false, error = ... }.
    { "notify", "lead_steps.notify_slack", optional = true, retry = { attempts = 3, initial = "1s" } },
  },
  result = "lead_steps.summary",
}
