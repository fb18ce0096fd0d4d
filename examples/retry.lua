-- retry: a flaky step retried with exponential backoff. The step fails on
-- its first two attempts and succeeds on the third; every attempt, with
-- its error and traceback, is in the run's history.
-- Run it:  weft run examples/retry.lua
local weft = require "weft"

return weft.workflow {
  name = "retry_example",
  -- The default policy for every step of this workflow.
  retry = { attempts = 5, initial = "200ms", backoff = 2.0, max = "2s" },
  run = function(ctx, input)
    local fail_times = input.fail_times or 2
    local answer = ctx:step("flaky_call", function()
      -- ctx.attempt is 1 on the first try; ctx.step_key is the same for
      -- every attempt: pass it as an idempotency key to external APIs.
      if ctx.attempt <= fail_times then
        error(weft.error { kind = "Unavailable", message = "try again (attempt " .. ctx.attempt .. ")" })
      end
      return { attempt = ctx.attempt, key = ctx.step_key }
    end)
    -- A validation error is not worth retrying: it fails at once.
    local checked = ctx:step("validate", { retry = { non_retryable = { "ValidationError" } } }, function()
      if input.invalid then
        error(weft.error { kind = "ValidationError", message = "input rejected", retryable = false })
      end
      return true
    end)
    return { succeeded_on_attempt = answer.attempt, valid = checked }
  end,
}
