-- Sagas: ctx:saga() returns an object whose steps may register an undo.
-- When the run fails after its retries, the engine calls compensate(ctx),
-- which runs the recorded undos in reverse order, each as a durable step.
local saga = {}

local Saga = {}
Saga.__index = Saga

-- saga:step(name, fn, { undo = function(result) ... end, retry = {...} })
function Saga:step(name, fn, opts)
  opts = opts or {}
  local step_opts = { retry = opts.retry }
  local result = self.ctx:step(name, step_opts, fn)
  if opts.undo ~= nil then
    if type(opts.undo) ~= "function" then
      error("bad argument #3 to 'step' (undo must be a function)", 2)
    end
    local undos = rawget(self.ctx, "_saga_undos")
    local ended_at, seq = self.ctx:_step_done()
    undos[#undos + 1] = { name = name, undo = opts.undo, result = result, retry = opts.undo_retry,
                          ended_at = ended_at, seq = seq }
  end
  return result
end

function saga.new(ctx)
  if rawget(ctx, "_saga_undos") == nil then rawset(ctx, "_saga_undos", {}) end
  return setmetatable({ ctx = ctx }, Saga)
end

-- Whether the run registered any undo (the engine asks before compensating).
function saga.pending(ctx)
  local undos = rawget(ctx, "_saga_undos")
  return undos ~= nil and #undos > 0
end

-- Runs the undos in reverse order of their steps' completion (as history
-- records it: branches of ctx:all register theirs in another order on
-- replay than live); each is the durable step "undo:<name>".
function saga.compensate(ctx)
  local undos = {}
  for i, entry in ipairs(rawget(ctx, "_saga_undos")) do undos[i] = entry end
  table.sort(undos, function(a, b)
    if a.ended_at ~= b.ended_at then return a.ended_at < b.ended_at end
    return a.seq < b.seq
  end)
  for i = #undos, 1, -1 do
    local entry = undos[i]
    ctx:_compensate("undo:" .. entry.name, { retry = entry.retry }, function()
      return entry.undo(entry.result)
    end)
  end
end

return saga
