-- weft.pipeline's runtime. weft.pipeline { ... } (dsl/weft_module.cpp)
-- checks the declaration's shape when the file loads (dsl/pipeline_spec.cpp),
-- then calls body(declaration) here, in the declaring file's environment:
-- "module.function" strings are resolved with that environment's require
-- (the workflows folder), and the returned function is the workflow body.
-- Each entry runs as the durable ctx call a hand-written body would make,
-- in order, so a pipeline's history is that body's history.
--
-- The state handed to functions: state.input is the run's input; each step
-- stores its result under its name, wait_event and child entries under
-- their `as`. An optional step that fails for good stores
-- { ok = false, error = { kind = ..., message = ... } } instead.
local pipeline = {}

-- An entry's kind: { "name", fn, ... } is a step, any other entry is named
-- by one of these keys (the load check has refused anything else).
local KIND_KEYS = { "sleep", "wait_event", "child", "when", "parallel", "map" }

local function kind_of(entry)
  if type(entry[1]) == "string" then return "step" end
  for _, key in ipairs(KIND_KEYS) do
    if entry[key] ~= nil then return key end
  end
end

-- A function given as itself, or as "module.function": a module of the
-- workflows folder (or one of Weft's), required now.
local function resolve(fn, where, what)
  if type(fn) ~= "string" then return fn end
  local module_name, name = fn:match("^(.+)%.([^.]+)$")
  local ok, module = pcall(require, module_name)
  if not ok then
    error(string.format("%s: %s '%s': %s", where, what, fn, (tostring(module):gsub("\n%s*", " "))), 0)
  end
  local found = type(module) == "table" and module[name] or nil
  if type(found) ~= "function" then
    error(string.format("%s: %s '%s': module '%s' has no function '%s'", where, what, fn,
                        module_name, name), 0)
  end
  return found
end

-- The error an optional step leaves in the state.
local function failure(err)
  if type(err) == "table" then
    return { ok = false, error = { kind = err.kind or "error", message = tostring(err.message) } }
  end
  return { ok = false, error = { kind = "error", message = tostring(err) } }
end

-- Entry kinds: compile(entry, where, compile_list) -> plan node, run(r, node)
-- where r = { ctx = ctx, state = state }. The checks and the graph of a
-- kind are in dsl/pipeline_spec.cpp.
local kinds = {}

kinds.step = {
  compile = function(entry, where)
    return { name = entry[1], fn = resolve(entry[2], where, "function"), retry = entry.retry,
             undo = entry.undo ~= nil and resolve(entry.undo, where, "undo") or nil,
             undo_retry = entry.undo_retry, optional = entry.optional == true }
  end,
  run = function(r, node)
    local ctx, state = r.ctx, r.state
    local function call() return node.fn(ctx, state) end
    local function step()
      if node.undo == nil then return ctx:step(node.name, { retry = node.retry }, call) end
      r.saga = r.saga or ctx:saga()
      return r.saga:step(node.name, call, {
        retry = node.retry, undo_retry = node.undo_retry,
        undo = function(result) return node.undo(ctx, state, result) end,
      })
    end
    if not node.optional then
      state[node.name] = step()
      return
    end
    local ok, result = pcall(step)
    if ok then state[node.name] = result else state[node.name] = failure(result) end
  end,
}

kinds.sleep = {
  compile = function(entry) return { duration = entry.sleep } end,
  run = function(r, node) r.ctx:sleep(node.duration) end,
}

kinds.wait_event = {
  compile = function(entry)
    return { event = entry.wait_event, timeout = entry.timeout, as = entry.as or entry.wait_event }
  end,
  run = function(r, node)
    local options = node.timeout ~= nil and { timeout = node.timeout } or nil
    r.state[node.as] = (r.ctx:wait_event(node.event, options))  -- nil after a timeout
  end,
}

kinds.child = {
  compile = function(entry, where)
    return { workflow = entry.child, as = entry.as or entry.child,
             input = entry.input ~= nil and resolve(entry.input, where, "input") or nil }
  end,
  run = function(r, node)
    local input = r.state
    if node.input ~= nil then input = node.input(r.state) end
    r.state[node.as] = r.ctx:child(node.workflow, input)
  end,
}

local compile_list, run_list

kinds.when = {
  compile = function(entry, where, path)
    return { test = resolve(entry.when, where, "when"), steps = compile_list(entry.steps, path .. ".steps") }
  end,
  run = function(r, node)
    if node.test(r.state) then run_list(r, node.steps) end
  end,
}

-- Branches of one ctx:all on the one state: their names are distinct keys.
kinds.parallel = {
  compile = function(entry, _, path)
    local branches = {}
    for b, branch in ipairs(entry.parallel) do
      local list = type(branch[1]) == "table" and branch or { branch }  -- one entry, or a list
      branches[b] = compile_list(list, path .. ".parallel[" .. b .. "]")
    end
    return { branches = branches }
  end,
  run = function(r, node)
    local fns = {}
    for b, plan in ipairs(node.branches) do
      fns[b] = function() run_list(r, plan) end
    end
    r.ctx:all(fns)
  end,
}

-- The value at a dotted path of the state ("leads", "input.leads").
local function field_of(state, field)
  local value = state
  for key in field:gmatch("[^.]+") do
    if type(value) ~= "table" then return nil end
    value = value[key]
  end
  return value
end

-- One branch of ctx:map per item, each item with a state of its own.
kinds.map = {
  compile = function(entry, _, path)
    local field = entry.map:gsub("^state%.", "")
    return { field = field, as = entry.as or (field:match("([^.]+)$") .. "_results"),
             concurrency = entry.concurrency, steps = compile_list(entry.each, path .. ".each") }
  end,
  run = function(r, node)
    local items = field_of(r.state, node.field)
    if type(items) ~= "table" then
      error(string.format("map: state.%s is %s, not a list", node.field, type(items)), 0)
    end
    local options = node.concurrency ~= nil and { concurrency = node.concurrency } or nil
    r.state[node.as] = r.ctx:map(items, function(item, i)
      local item_r = { ctx = r.ctx, state = { input = r.state.input, item = item, index = i } }
      run_list(item_r, node.steps)
      item_r.state.input = nil  -- the run's input is not repeated per item
      return item_r.state
    end, options)
  end,
}

-- `path` names the list in messages: "pipeline 'x': steps[3].steps".
function compile_list(entries, path)
  local plan = {}
  for i, entry in ipairs(entries) do
    local kind = kind_of(entry)
    local entry_path = path .. "[" .. i .. "]"
    local where = entry_path .. (kind == "step" and " '" .. entry[1] .. "'" or " (" .. kind .. ")")
    local node = kinds[kind].compile(entry, where, entry_path)
    node.kind = kind
    plan[i] = node
  end
  return plan
end

function run_list(r, plan)
  for _, node in ipairs(plan) do kinds[node.kind].run(r, node) end
end

-- The workflow body of a pipeline declaration.
function pipeline.body(declaration)
  local prefix = "pipeline '" .. tostring(declaration.name) .. "': "
  local plan = compile_list(declaration.steps, prefix .. "steps")
  local result = declaration.result ~= nil and resolve(declaration.result, prefix .. "result", "function") or nil
  return function(ctx, input)
    local r = { ctx = ctx, state = { input = input } }
    run_list(r, plan)
    if result ~= nil then return result(r.state) end
    return r.state
  end
end

return pipeline
