-- wait_for_event: pause until a person approves, or give up after a
-- timeout. While it waits, the run is parked (no thread, no coroutine).
-- Run it:   weft run examples/wait_for_event.lua --id order-42
-- Approve:  weft event order-42 approval --data '{"approved":true,"by":"kim"}'
local weft = require "weft"

return weft.workflow {
  name = "approval_example",
  run = function(ctx, input)
    ctx:step("request_approval", function()
      return "approval requested for " .. (input.order or ctx.run_id)
    end)
    local decision, why = ctx:wait_event("approval", { timeout = input.timeout or "1h" })
    if decision == nil then
      return { status = "expired", reason = why }   -- why == "timeout"
    end
    return { status = decision.approved and "approved" or "rejected", by = decision.by }
  end,
}
