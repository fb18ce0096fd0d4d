-- sleep: a durable timer. While the run sleeps it holds no thread and no
-- coroutine; kill the process and `weft run --id ID` (or `weft resume`)
-- finishes it without sleeping again the part already slept.
-- Run it:  weft run examples/sleep.lua --input '{"seconds": 2}'
local weft = require "weft"

return weft.workflow {
  name = "sleep_example",
  run = function(ctx, input)
    local started = ctx:now()          -- recorded: the same on replay
    ctx:step("before", function() return "about to sleep" end)
    ctx:sleep(input.seconds or 1)      -- or a string: "250ms", "10m", "6h", "1d"
    ctx:step("after", function() return "woke up" end)
    return { slept_at_least = ctx:now() - started >= (input.seconds or 1) }
  end,
}
