-- Tests of examples/saga.lua: bookings undone in reverse order when a later one fails.
-- Run them:  weft test examples/saga_test.lua
local test = require "weft.test"

-- The history as "kind name status" lines.
local function timeline(run)
  local lines = {}
  for _, event in ipairs(run:history()) do
    lines[#lines + 1] = event.kind .. " " .. event.name .. " " .. event.status
  end
  return lines
end

test.case("books flight, hotel and car", function(t)
  local run = t:start("saga_example", {}, { id = "trip-1" })
  test.eq(run:status(), "completed")
  test.eq(run:result(), { flight = "flight-trip-1:1", hotel = "hotel-trip-1:2", car = "car-trip-1:3" })
  test.eq(timeline(run), {
    "step book_flight completed", "step book_hotel completed", "step book_car completed" })
end)

test.case("no car undoes the hotel then the flight", function(t)
  local run = t:start("saga_example", { fail_at = "car" }, { id = "trip-2" })
  test.eq(run:wait(), "compensated")
  test.eq(timeline(run), {
    "step book_flight completed",
    "step book_hotel completed",
    "step book_car retrying",
    "step book_car failed",
    "compensation undo:book_hotel completed",
    "compensation undo:book_flight completed",
  })
  local history = run:history()
  test.eq(history[5].result, { cancelled = "hotel-trip-2:2" })
  test.eq(history[6].result, { cancelled = "flight-trip-2:1" })
end)

test.case("a compensated run keeps the error that caused it", function(t)
  local run = t:start("saga_example", { fail_at = "car" })
  run:wait()
  test.eq(run:result(), nil)
  test.eq({ run:error().kind, run:error().message }, { "Unavailable", "no car available" })
end)

test.case("the failing booking is tried twice, 100ms apart", function(t)
  local started = t:now()
  local run = t:start("saga_example", { fail_at = "hotel" })
  test.eq(run:status(), "sleeping")
  test.eq(run:wait(), "compensated")
  test.eq(t:now() - started, 100)
  local history = run:history()
  test.eq({ history[2].attempt, history[3].attempt }, { 1, 2 })
  test.eq(timeline(run)[4], "compensation undo:book_flight completed")
  test.eq(#history, 4, "the car is never booked")
end)

test.case("a failure before any booking has nothing to undo", function(t)
  local run = t:start("saga_example", { fail_at = "flight" })
  test.eq(run:wait(), "failed")
  test.eq(timeline(run), { "step book_flight retrying", "step book_flight failed" })
  test.eq(run:error().message, "no flight available")
end)

test.case("an undo that keeps failing leaves the run failed, naming it", function(t)
  local undo = t:mock_step("undo:book_hotel", { error = { kind = "Unavailable", message = "hotel API down" } })
  local run = t:start("saga_example", { fail_at = "car" })
  test.eq(run:wait(), "failed")
  test.eq(undo:calls(), 2)
  test.eq(run:error().kind, "compensation_failed")
end)
