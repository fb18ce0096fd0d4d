-- Assertions for the Lua tests of the stdlib helpers. Loaded by
-- run_lua_tests with `where` (file:line of the calling assertion) and
-- reachable as `require "testlib"`. Failures are recorded, not raised, so
-- one test file reports every failing case.
local where = ...

local t = { passed = 0, failures = {} }

local function describe(value, seen)
  if type(value) == "string" then return string.format("%q", value) end
  if type(value) ~= "table" then return tostring(value) end
  seen = seen or {}
  if seen[value] then return "<cycle>" end
  seen[value] = true
  local keys = {}
  for key in pairs(value) do keys[#keys + 1] = key end
  table.sort(keys, function(a, b)
    if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
    return type(a) < type(b)
  end)
  local parts = {}
  for _, key in ipairs(keys) do
    local shown = type(key) == "string" and key or "[" .. describe(key, seen) .. "]"
    parts[#parts + 1] = shown .. " = " .. describe(value[key], seen)
  end
  seen[value] = nil
  return "{ " .. table.concat(parts, ", ") .. " }"
end
t.describe = describe

local function deep_equal(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for key, value in pairs(a) do
    if not deep_equal(value, b[key]) then return false end
  end
  for key in pairs(b) do
    if a[key] == nil then return false end
  end
  return true
end

local function record(ok, label, detail)
  if ok then
    t.passed = t.passed + 1
  else
    local line = where() .. ": " .. tostring(label or "assertion")
    t.failures[#t.failures + 1] = detail and (line .. ": " .. detail) or line
  end
  return ok
end

-- Deep equality of `actual` and `expected`.
function t.eq(actual, expected, label)
  return record(deep_equal(actual, expected), label,
    "expected " .. describe(expected) .. ", got " .. describe(actual))
end

-- |actual - expected| <= tolerance (default 1e-9), for floating-point scores.
function t.near(actual, expected, label, tolerance)
  local ok = type(actual) == "number" and math.abs(actual - expected) <= (tolerance or 1e-9)
  return record(ok, label, "expected " .. tostring(expected) .. ", got " .. describe(actual))
end

-- `value` is truthy.
function t.ok(value, label)
  return record(value and true or false, label, "expected a true value, got " .. describe(value))
end

-- fn(...) raises an error whose message contains `fragment` (plain text).
function t.err(fn, fragment, label)
  local ok, message = pcall(fn)
  if ok then return record(false, label, "expected an error, none was raised") end
  local found = string.find(tostring(message), fragment, 1, true) ~= nil
  return record(found, label, "error " .. describe(tostring(message)) ..
    " does not contain " .. describe(fragment))
end

return t
