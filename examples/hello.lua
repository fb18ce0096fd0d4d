-- hello: the smallest useful workflow, three checkpointed steps.
-- Run it:  weft run examples/hello.lua --input '{"name":"Ada"}'
-- Then:    weft history <run id printed by weft runs>
local weft = require "weft"

return weft.workflow {
  name = "hello",
  run = function(ctx, input)
    -- Each step runs once; its result is recorded. After a crash the run
    -- resumes by replay: finished steps hand back their recorded result.
    local name = ctx:step("normalise", function()
      return (input.name or "world"):gsub("^%s+", ""):gsub("%s+$", "")
    end)
    local greeting = ctx:step("greet", function()
      return "Hello, " .. name .. "!"
    end)
    local length = ctx:step("measure", function()
      return #greeting
    end)
    return { greeting = greeting, length = length }
  end,
}
