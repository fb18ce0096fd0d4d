-- weft.conflict: field-level differences between a local record, the
-- external system's record and their common base (the version last synced),
-- and their resolution by a strategy: local_wins, external_wins,
-- newest_wins, field_merge (three-way), manual or custom. Pure functions:
-- callable anywhere, never yield.
local json = require "weft.json"
local mapping = require "weft.mapping"

local conflict = {}

local function is_object(value)
  return type(value) == "table" and value[1] == nil and next(value) ~= nil
end

local function deep_equal(a, b)
  if a == json.null then a = nil end
  if b == json.null then b = nil end
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for key, value in pairs(a) do
    if not deep_equal(value, b[key]) then return false end
  end
  for key, value in pairs(b) do
    if a[key] == nil and value ~= json.null then return false end
  end
  return true
end

local function deep_copy(value)
  if type(value) ~= "table" then return value end
  local copy = {}
  for key, item in pairs(value) do copy[key] = deep_copy(item) end
  return setmetatable(copy, getmetatable(value))
end

-- Dotted paths of the leaves of nested objects. Arrays and empty tables are
-- leaves: a list is compared as a whole.
local function collect_paths(record, prefix, paths)
  for key, value in pairs(record or {}) do
    local path = prefix .. tostring(key)
    if is_object(value) then
      collect_paths(value, path .. ".", paths)
    else
      paths[path] = true
    end
  end
end

local function field_change(path, base, local_record, external_record)
  local base_value = mapping.get(base, path)
  local local_value = mapping.get(local_record, path)
  local external_value = mapping.get(external_record, path)
  local local_changed = not deep_equal(local_value, base_value)
  local external_changed = not deep_equal(external_value, base_value)
  if not local_changed and not external_changed then return nil end
  local changed_by = (local_changed and external_changed) and "both"
    or (local_changed and "local" or "external")
  return {
    field = path, base_value = base_value, local_value = local_value, external_value = external_value,
    changed_by = changed_by,
    conflict = changed_by == "both" and not deep_equal(local_value, external_value),
  }
end

local function ignored_set(options)
  local set = {}
  for _, field in ipairs(options and options.ignore or {}) do set[field] = true end
  return set
end

-- Fields that changed since `base` on either side, sorted by path:
-- { field, base_value, local_value, external_value,
--   changed_by = "local" | "external" | "both", conflict = boolean }.
-- A nil base means "no common version": every field present is a change.
-- options.ignore lists fields to leave out (e.g. the modified time).
function conflict.diff(base, local_record, external_record, options)
  local paths, ignored = {}, ignored_set(options)
  collect_paths(base, "", paths)
  collect_paths(local_record, "", paths)
  collect_paths(external_record, "", paths)
  local sorted = {}
  for path in pairs(paths) do
    if not ignored[path] then sorted[#sorted + 1] = path end
  end
  table.sort(sorted)
  local changes = {}
  for _, path in ipairs(sorted) do
    changes[#changes + 1] = field_change(path, base or {}, local_record or {}, external_record or {})
  end
  return changes
end

------------------------------------------------------------------ strategies

local function conflicts_of(changes)
  local found = {}
  for _, change in ipairs(changes) do
    if change.conflict then found[#found + 1] = change end
  end
  return found
end

-- "2026-11-22T10:00:00.5+01:00", "2026-11-22" or epoch seconds → a
-- comparable pair (UTC text to the second, fraction); nil if unreadable.
local function instant(value)
  if value == nil or value == json.null then return nil end
  local iso = mapping.convert(value, { type = "date" })
  if not iso then return nil end
  if #iso == 10 then iso = iso .. "T00:00:00Z" end
  return { iso:sub(1, 19), tonumber("0" .. (iso:match("(%.%d+)Z$") or "")) }
end

local function is_newer(a, b)
  if a[1] ~= b[1] then return a[1] > b[1] end
  return a[2] > b[2]
end

local function newest_side(local_record, external_record, options)
  local field = options.modified_field or "updated_at"
  local local_time = instant(mapping.get(local_record, field))
  local external_time = instant(mapping.get(external_record, field))
  if local_time and external_time then
    if is_newer(external_time, local_time) then return "external" end
    if is_newer(local_time, external_time) then return "local" end
  elseif local_time or external_time then
    return local_time and "local" or "external"
  end
  return options.tie or "local"
end

-- The field goes to the one side that changed it (the merged record
-- starts as the local one, so only external changes need applying).
local function take_changed_side(merged, change)
  if change.changed_by == "external" then
    mapping.set(merged, change.field, deep_copy(change.external_value))
  end
end

-- Three-way merge into a copy of the local record: a side that alone
-- changed a field wins it; conflicting fields get `decide(change)` when
-- given, else stay open (keeping the local value).
local function merge(local_record, changes, decide)
  local merged, open = deep_copy(local_record or {}), {}
  for _, change in ipairs(changes) do
    if change.conflict and decide then
      mapping.set(merged, change.field, decide(change))
    elseif change.conflict then
      open[#open + 1] = change
    else
      take_changed_side(merged, change)
    end
  end
  return merged, open
end

local function outcome(strategy, resolved, conflicts, changes)
  return { strategy = strategy, resolved = resolved, conflicts = conflicts, diff = changes }
end

local strategies = {}

function strategies.local_wins(_, local_record, _, changes)
  return outcome("local_wins", deep_copy(local_record), {}, changes)
end

function strategies.external_wins(_, _, external_record, changes)
  return outcome("external_wins", deep_copy(external_record), {}, changes)
end

function strategies.newest_wins(_, local_record, external_record, changes, options)
  local winner = newest_side(local_record, external_record, options)
  local result = outcome("newest_wins",
    deep_copy(winner == "local" and local_record or external_record), {}, changes)
  result.winner = winner
  return result
end

function strategies.field_merge(_, local_record, _, changes, options)
  local side = options.on_conflict
  local decide = side and function(change) return deep_copy(change[side .. "_value"]) end
  local merged, open = merge(local_record, changes, decide)
  local result = outcome("field_merge", #open == 0 and merged or nil, open, changes)
  if #open > 0 then result.partial = merged end
  return result
end

function strategies.manual(_, _, _, changes)
  return outcome("manual", nil, conflicts_of(changes), changes)
end

-- options.resolvers[field] (or options.resolver) decides each changed
-- field: function(change) → the value to keep (nil removes the field).
-- Fields without a resolver merge as in field_merge.
function strategies.custom(_, local_record, _, changes, options)
  local resolvers = options.resolvers or {}
  local merged, open = deep_copy(local_record or {}), {}
  for _, change in ipairs(changes) do
    local resolver = resolvers[change.field] or options.resolver
    if resolver then
      mapping.set(merged, change.field, resolver(change))
    elseif change.conflict then
      open[#open + 1] = change
    else
      take_changed_side(merged, change)
    end
  end
  return outcome("custom", #open == 0 and merged or nil, open, changes)
end

local function check_options(options)
  local function misuse(message) error("bad argument #4 to 'resolve' (" .. message .. ")", 4) end
  if type(options) ~= "table" then misuse("options table expected") end
  if not strategies[options.strategy] then
    misuse("unknown strategy '" .. tostring(options.strategy) .. "'")
  end
  for _, key in ipairs { "on_conflict", "tie" } do
    local side = options[key]
    if side ~= nil and side ~= "local" and side ~= "external" then
      misuse(key .. " must be 'local' or 'external'")
    end
  end
  if options.strategy == "custom" and not (options.resolvers or options.resolver) then
    misuse("custom needs resolvers or resolver")
  end
end

-- Resolves the three versions with options.strategy. Returns
-- { strategy, resolved = record or nil, conflicts = { change, ... },
--   diff = { change, ... } } plus `winner` (newest_wins) or `partial`
-- (field_merge with open conflicts). `resolved` is nil exactly when a
-- person must decide: manual, or conflicts left open.
function conflict.resolve(base, local_record, external_record, options)
  check_options(options)
  local changes = conflict.diff(base, local_record, external_record, options)
  return strategies[options.strategy](base, local_record, external_record, changes, options)
end

return conflict
