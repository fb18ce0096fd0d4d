-- Tests of examples/retry.lua: a flaky step retried with backoff, a validation error that is not.
-- Run them:  weft test examples/retry_test.lua
local test = require "weft.test"

-- The attempts of one step as { attempt, status, error message }.
local function attempts(run, name)
  local seen = {}
  for _, event in ipairs(run:history()) do
    if event.name == name then
      seen[#seen + 1] = { event.attempt, event.status, event.error and event.error.message }
    end
  end
  return seen
end

test.case("succeeds on the third attempt", function(t)
  local run = t:start("retry_example")
  test.eq(run:status(), "sleeping", "parked in the backoff after attempt 1")
  test.eq(run:wait(), "completed")
  test.eq(run:result(), { succeeded_on_attempt = 3, valid = true })
  test.eq(attempts(run, "flaky_call"), {
    { 1, "retrying", "try again (attempt 1)" },
    { 2, "retrying", "try again (attempt 2)" },
    { 3, "completed" },
  })
end)

test.case("backs off 200ms then 400ms without real time", function(t)
  local started = t:now()
  local run = t:start("retry_example")
  run:wait()
  test.eq(t:now() - started, 600)
  local history = run:history()
  test.eq(history[1].fire_at - history[1].ended_at, 200)
  test.eq(history[2].fire_at - history[2].ended_at, 400)
end)

test.case("every attempt gets the same step key", function(t)
  local run = t:start("retry_example", { fail_times = 1 }, { id = "retry-1" })
  run:wait()
  test.eq(attempts(run, "flaky_call")[2], { 2, "completed" })
  test.eq(run:history()[2].result, { attempt = 2, key = "retry-1:1" })
end)

test.case("gives up after five attempts", function(t)
  local started = t:now()
  local run = t:start("retry_example", { fail_times = 9 })
  test.eq(run:wait(), "failed")
  test.eq(#attempts(run, "flaky_call"), 5)
  test.eq(attempts(run, "flaky_call")[5], { 5, "failed", "try again (attempt 5)" })
  local err = run:error()
  test.eq({ err.kind, err.message }, { "Unavailable", "try again (attempt 5)" })
  test.eq(t:now() - started, 200 + 400 + 800 + 1600)
end)

test.case("validation fails at once", function(t)
  local started = t:now()
  local run = t:start("retry_example", { fail_times = 0, invalid = true })
  test.eq(run:status(), "failed")
  local err = run:error()
  test.eq({ kind = err.kind, message = err.message, retryable = err.retryable },
          { kind = "ValidationError", message = "input rejected", retryable = false })
  test.eq(attempts(run, "validate"), { { 1, "failed", "input rejected" } })
  test.eq(t:now(), started, "no backoff")
end)

test.case("a validation error is not retried even when marked retryable", function(t)
  t:mock_step("validate", { error = { kind = "ValidationError", message = "bad email", retryable = true } })
  local run = t:start("retry_example", { fail_times = 0 })
  test.eq(run:status(), "failed")
  test.eq(attempts(run, "validate"), { { 1, "failed", "bad email" } })
end)

test.case("a redriven run carries on once the service is back", function(t)
  local outage = t:mock_step("flaky_call", {
    error = { kind = "Unavailable", message = "service down", retryable = true }, times = 5 })
  local run = t:start("retry_example", { fail_times = 0 })
  test.eq(run:wait(), "failed")
  test.eq(outage:calls(), 5)
  run:retry()
  test.eq(run:status(), "completed")
  local tail = { table.unpack(attempts(run, "flaky_call"), 5) }
  test.eq(tail, { { 5, "failed", "service down" }, { 6, "redriven" }, { 7, "completed" } })
  test.eq(run:result(), { succeeded_on_attempt = 7, valid = true })
end)
