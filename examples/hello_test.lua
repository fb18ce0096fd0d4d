-- Tests of examples/hello.lua: three checkpointed steps greet a trimmed name.
-- Run them:  weft test examples/hello_test.lua
local test = require "weft.test"

local function step_names(run)
  local names = {}
  for _, event in ipairs(run:history()) do names[#names + 1] = event.name end
  return names
end

test.case("greets by the trimmed name", function(t)
  local run = t:start("hello", { name = "  Ada " })
  test.eq(run:status(), "completed")
  test.eq(run:result(), { greeting = "Hello, Ada!", length = 11 })
end)

test.case("greets the world without a name", function(t)
  local run = t:start("hello")
  test.eq(run:result(), { greeting = "Hello, world!", length = 13 })
end)

test.case("records each step once with its result", function(t)
  local run = t:start("hello", { name = "Ada" })
  test.eq(step_names(run), { "normalise", "greet", "measure" })
  local results, attempts = {}, {}
  for _, event in ipairs(run:history()) do
    results[#results + 1] = event.result
    attempts[#attempts + 1] = event.attempt
  end
  test.eq(results, { "Ada", "Hello, Ada!", 11 })
  test.eq(attempts, { 1, 1, 1 })
end)

test.case("measures what the greet step returned", function(t)
  local greet = t:mock_step("greet", { result = "Hi!" })
  local run = t:start("hello", { name = "Ada" })
  test.eq(run:result(), { greeting = "Hi!", length = 3 })
  test.eq(greet:calls(), 1)
  test.eq(step_names(run), { "normalise", "greet", "measure" })
end)

test.case("replays its history without diverging", function(t)
  local run = t:start("hello", { name = "Ada" })
  local report = run:replay()
  test.eq(report.diverged, false)
  test.eq(report.replayed, 3)
  test.eq(report.result_differs, false)
end)

test.case("an idempotency key starts one run", function(t)
  local first = t:start("hello", { name = "Ada" }, { idempotency_key = "greet-ada" })
  local again = t:start("hello", { name = "Ada" }, { idempotency_key = "greet-ada" })
  test.eq(again.id, first.id)
  test.eq(#t:runs { workflow = "hello" }, 1)
  test.raises(function()
    t:start("hello", { name = "Bob" }, { idempotency_key = "greet-ada" })
  end, "used for run .* with another input")
end)

test.case("keeps the tenant and the input on the run", function(t)
  local run = t:start("hello", { name = "Ada" }, { id = "hello-1", tenant = "acme" })
  local record = run:record()
  test.eq(run.id, "hello-1")
  test.eq({ record.workflow, record.tenant, record.input }, { "hello", "acme", { name = "Ada" } })
end)
