-- github_webhook: a run per GitHub event, started by a signed webhook.
--
-- Set up (the secret is the one typed in GitHub's webhook form; it is
-- stored encrypted in the database, never in this file):
--   weft secrets set github.webhook --value '<webhook secret>'
--   weft serve --workflows examples
-- In GitHub: Settings > Webhooks > Add webhook, payload URL
-- https://<your host>/hooks/github, content type application/json.
--
-- weft serve then answers each delivery:
--   202 {"run_id": ...}        the run is durably started
--   200 {"duplicate": true}    GitHub redelivered (same X-GitHub-Delivery)
--   200 {"ignored": true}      a ping: `event` returned nil
--   401 signature_invalid      not signed with the secret
--   429 + Retry-After          more than 20 deliveries in a second
-- and `GET /v1/webhooks/deliveries?route=/hooks/github` lists them.
local weft = require "weft"

return weft.workflow {
  name = "github_webhook",
  on = {
    weft.webhook {
      path = "/hooks/github",
      verify = weft.verify.github "github.webhook",  -- checks X-Hub-Signature-256
      dedup = "header:X-GitHub-Delivery",
      limit = { rate = 20, per = "1s" },
      -- Maps the delivery to the run's input. It runs before the run
      -- exists, under a small instruction budget: keep it a pure mapping.
      event = function(req)
        local kind = req.headers["x-github-event"]
        if kind == "ping" then return nil end
        local body = req.json or {}
        return {
          event = kind,
          action = body.action,
          repository = body.repository and body.repository.full_name,
          sender = body.sender and body.sender.login,
        }
      end,
    },
  },
  run = function(ctx, event)
    local summary = ctx:step("summarize", function()
      return string.format("%s %s on %s by %s", event.event, event.action or "-",
                           event.repository or "?", event.sender or "?")
    end)
    return { summary = summary }
  end,
}
