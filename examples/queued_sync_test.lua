-- Tests of examples/queued_sync.lua and examples/sync_dispatch.lua: runs
-- started without waiting, admitted through a concurrency-3 queue.
-- Run them:  weft test examples/queued_sync_test.lua
local test = require "weft.test"

local tasks = {
  { id = "t-1", url = "https://crm.example.com/a", priority = 0 },
  { id = "t-2", url = "https://crm.example.com/b", priority = 9 },
  { id = "t-3", url = "https://crm.example.com/c", priority = 5 },
  { id = "t-4", url = "https://crm.example.com/d" },
}

test.case("the dispatcher starts one queued run per task and does not wait", function(t)
  t:mock_http { method = "GET", url = "https://crm.example.com/*", json = { records = { 1, 2 } } }
  local dispatch = t:start("sync_dispatch", { batch = "b-1", tasks = tasks })
  test.eq(dispatch:status(), "completed")
  local started = dispatch:result().started
  for _, task in ipairs(tasks) do
    local run = t:run(started[task.id])
    test.eq(run:wait(), "completed")
    test.eq(run:result(), { task = task.id, records = 2 })
    test.eq(run:record().started_by, dispatch.id)
  end
  test.eq(#t:http_calls(), 4)
end)

test.case("the same batch dispatched again starts nothing new", function(t)
  t:mock_http { method = "GET", url = "https://crm.example.com/*", json = { records = {} } }
  local first = t:start("sync_dispatch", { batch = "b-1", tasks = tasks })
  local again = t:start("sync_dispatch", { batch = "b-1", tasks = tasks })
  test.eq(again:result(), first:result())
  test.eq(#t:runs { workflow = "queued_sync" }, 4)
  t:start("sync_dispatch", { batch = "b-2", tasks = { tasks[1] } })
  test.eq(#t:runs { workflow = "queued_sync" }, 5)
end)

test.case("a queued run records its queue and priority", function(t)
  t:mock_http { method = "GET", url = "https://crm.example.com/*", json = { records = {} } }
  local run = t:start("queued_sync", { task = "t-9", url = "https://crm.example.com/z" }, { priority = 7 })
  test.eq(run:wait(), "completed")
  test.eq(run:record().queue, { name = "sync-tasks", priority = 7 })
end)

test.case("a delayed start waits for its time", function(t)
  t:mock_http { method = "GET", url = "https://crm.example.com/*", json = { records = {} } }
  local run = t:start("queued_sync", { task = "t-5", url = "https://crm.example.com/e" }, { delay = "5m" })
  test.eq(run:status(), "pending")
  t:advance("5m")
  test.eq(run:status(), "completed")
end)
