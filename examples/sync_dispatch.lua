-- Fans work out without waiting: one queued_sync run per task, started
-- with ctx:start on the "sync-tasks" queue with the task's priority. The
-- key makes a dispatch that runs again (a retry, a second delivery of the
-- same batch) start no task twice.
local weft = require "weft"

return weft.workflow {
  name = "sync_dispatch",
  run = function(ctx, input)
    local started = {}
    for _, task in ipairs(input.tasks) do
      started[task.id] = ctx:start("queued_sync", { task = task.id, url = task.url },
        { key = input.batch .. ":" .. task.id, priority = task.priority or 0 })
    end
    return { started = started }
  end,
}
