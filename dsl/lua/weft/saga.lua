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
    undos[#undos + 1] = { name = name, undo = opts.undo, result = result, retry = opts.undo_retry }
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

-- Runs the undos in reverse order; each is the durable step "undo:<name>".
function saga.compensate(ctx)
  local undos = rawget(ctx, "_saga_undos")
  for i = #undos, 1, -1 do
    local entry = undos[i]
    ctx:_compensate("undo:" .. entry.name, { retry = entry.retry }, function()
      return entry.undo(entry.result)
    end)
  end
end

return saga
