-- saga: book a trip in three steps; if a later step fails for good, the
-- steps already done are undone in reverse order, each undo a durable,
-- retried step. The run ends `compensated`.
-- Run it:  weft run examples/saga.lua --input '{"fail_at":"car"}'
local weft = require "weft"

return weft.workflow {
  name = "saga_example",
  retry = { attempts = 2, initial = "100ms" },
  run = function(ctx, input)
    local saga = ctx:saga()
    local function book(what)
      return saga:step("book_" .. what, function()
        if input.fail_at == what then
          error(weft.error { kind = "Unavailable", message = "no " .. what .. " available" })
        end
        return { booking = what .. "-" .. ctx.step_key }
      end, {
        -- The undo receives the step's recorded result.
        undo = function(booked) return { cancelled = booked.booking } end,
      })
    end
    local flight = book("flight")
    local hotel = book("hotel")
    local car = book("car")
    return { flight = flight.booking, hotel = hotel.booking, car = car.booking }
  end,
}
