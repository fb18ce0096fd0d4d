-- A queue with bounded workers: every run of queued_sync — started by
-- sync_dispatch, the runs API, or POST /v1/queues/sync-tasks/messages —
-- goes through the "sync-tasks" queue: at most 3 at once, higher
-- priority first, then in the order they came.
--   weft serve --workflows examples
--   curl -X POST 'localhost:8080/v1/queues/sync-tasks/messages?priority=9' \
--        -d '{"task": "t-1", "url": "https://api.example.com/contacts"}'
local weft = require "weft"
local http = require "weft.http"

return weft.workflow {
  name = "queued_sync",
  on = { weft.queue { name = "sync-tasks", concurrency = 3 } },
  run = function(ctx, input)
    local page = ctx:step("fetch", function()
      return http.get(input.url, { raise = true }):json()
    end)
    return { task = input.task, records = #page.records }
  end,
}
