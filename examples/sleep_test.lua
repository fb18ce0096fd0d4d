-- Tests of examples/sleep.lua: a durable timer that takes no real time.
-- Run them:  weft test examples/sleep_test.lua
local test = require "weft.test"

local function timeline(run)
  local events = {}
  for _, event in ipairs(run:history()) do
    events[#events + 1] = { event.kind, event.name, event.status }
  end
  return events
end

test.case("a run sleeps until the clock passes its timer", function(t)
  local run = t:start("sleep_example", { seconds = 600 })
  test.eq(run:status(), "sleeping")
  t:advance("9m")
  test.eq(run:status(), "sleeping")
  t:advance("1m")
  test.eq(run:status(), "completed")
  test.eq(run:result(), { slept_at_least = true })
end)

test.case("wait skips the sleep", function(t)
  local started = t:now()
  local run = t:start("sleep_example", { seconds = 600 })
  test.eq(run:wait(), "completed")
  test.eq(t:now() - started, 600 * 1000)
end)

test.case("sleeps one second by default", function(t)
  local started = t:now()
  local run = t:start("sleep_example")
  test.eq(run:wait(), "completed")
  test.eq(t:now() - started, 1000)
  test.eq(run:result(), { slept_at_least = true })
end)

test.case("the step after the sleep waits for the timer", function(t)
  local run = t:start("sleep_example", { seconds = 60 })
  test.eq(timeline(run), {
    { "now", "now", "completed" },
    { "step", "before", "completed" },
    { "sleep", "sleep", "pending" },
  })
  t:advance("1m")
  local history = run:history()
  test.eq(timeline(run)[4], { "step", "after", "completed" })
  test.eq(history[3].fire_at - history[3].started_at, 60 * 1000)
  test.eq(history[4].started_at, history[3].fire_at)
  test.eq(history[4].result, "woke up")
end)

test.case("a sleep of zero seconds does not park the run", function(t)
  local run = t:start("sleep_example", { seconds = 0 })
  test.eq(run:status(), "completed")
  test.eq(run:result(), { slept_at_least = true })
end)
