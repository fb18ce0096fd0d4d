-- weft.mapping: converts a record from one system's shape to another's with
-- a schema — a list of rules naming a source path, a target path, a type and
-- optional enum values, default, required flag and transform. Data problems
-- are collected per field and returned; schema mistakes raise. Pure
-- functions: callable anywhere, never yield.
local json = require "weft.json"

local mapping = {}

------------------------------------------------------------------ paths

local function split_path(path)
  local segments = {}
  for segment in path:gmatch("[^.]+") do segments[#segments + 1] = segment end
  return segments
end

-- A segment reads a string key, or an array index when the key is absent
-- and the segment is a number ("items.1.sku").
local function child(value, segment)
  local found = value[segment]
  if found == nil then
    local index = math.tointeger(tonumber(segment))
    if index then found = value[index] end
  end
  return found
end

-- Value at a dotted path, or nil when any part of the path is missing.
function mapping.get(record, path)
  local value = record
  for _, segment in ipairs(split_path(path)) do
    if type(value) ~= "table" then return nil end
    value = child(value, segment)
  end
  return value
end

-- Sets the value at a dotted path, creating intermediate tables.
function mapping.set(record, path, value)
  local segments = split_path(path)
  local node = record
  for i = 1, #segments - 1 do
    local next_node = node[segments[i]]
    if next_node == nil then
      next_node = {}
      node[segments[i]] = next_node
    elseif type(next_node) ~= "table" then
      error("cannot set '" .. path .. "': '" .. segments[i] .. "' already holds a " ..
        type(next_node), 2)
    end
    node = next_node
  end
  node[segments[#segments]] = value
end

------------------------------------------------------------------ dates

-- Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years
-- keep the arithmetic in integers and valid for negative years).
local function days_from_civil(year, month, day)
  year = month <= 2 and year - 1 or year
  local era = year // 400
  local year_of_era = year - era * 400
  local day_of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
  local day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
  return era * 146097 + day_of_era - 719468
end

local function civil_from_days(days)
  days = days + 719468
  local era = days // 146097
  local day_of_era = days - era * 146097
  local year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524
    - day_of_era // 146096) // 365
  local day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
  local month_index = (5 * day_of_year + 2) // 153
  local day = day_of_year - (153 * month_index + 2) // 5 + 1
  local month = month_index < 10 and month_index + 3 or month_index - 9
  return year_of_era + era * 400 + (month <= 2 and 1 or 0), month, day
end

local function is_leap_year(year)
  return year % 4 == 0 and (year % 100 ~= 0 or year % 400 == 0)
end

local DAYS_IN_MONTH = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

local function valid_date(year, month, day)
  if month < 1 or month > 12 or day < 1 then return false end
  local last = DAYS_IN_MONTH[month] + ((month == 2 and is_leap_year(year)) and 1 or 0)
  return day <= last
end

local function format_datetime(epoch_seconds, fraction)
  local days = epoch_seconds // 86400
  local second_of_day = epoch_seconds - days * 86400
  local year, month, day = civil_from_days(days)
  return string.format("%04d-%02d-%02dT%02d:%02d:%02d%sZ", year, month, day,
    second_of_day // 3600, second_of_day % 3600 // 60, second_of_day % 60, fraction or "")
end

local function epoch_to_iso(seconds)
  if seconds ~= seconds or seconds == math.huge or seconds == -math.huge then
    return nil, "not a finite epoch time"
  end
  local whole = math.floor(seconds)
  local millis = math.floor((seconds - whole) * 1000 + 0.5)
  if millis == 1000 then whole, millis = whole + 1, 0 end
  return format_datetime(math.tointeger(whole), millis > 0 and string.format(".%03d", millis))
end

-- Offset "Z", "+02:00", "-0530" or "" (taken as UTC) in seconds east of UTC.
local function parse_offset(offset)
  if offset == "" or offset == "Z" or offset == "z" then return 0 end
  local sign, hours, minutes = offset:match("^([+-])(%d%d):?(%d%d)$")
  if not sign then return nil end
  hours, minutes = tonumber(hours), tonumber(minutes)
  if hours > 23 or minutes > 59 then return nil end
  return (sign == "+" and 1 or -1) * (hours * 3600 + minutes * 60)
end

local function iso_text_to_iso(s)
  local year, month, day, rest = s:match("^(%d%d%d%d)-(%d%d)-(%d%d)(.*)$")
  if not year then return nil, "not an ISO 8601 date" end
  year, month, day = tonumber(year), tonumber(month), tonumber(day)
  if not valid_date(year, month, day) then return nil, "no such date" end
  if rest == "" then return string.format("%04d-%02d-%02d", year, month, day) end
  local hour, minute, tail = rest:match("^[Tt ](%d%d):(%d%d)(.*)$")
  if not hour then return nil, "not an ISO 8601 date-time" end
  local second = tail:match("^:(%d%d)")
  if second then tail = tail:sub(4) end
  local fraction = second and tail:match("^[.,](%d+)")
  if fraction then tail = tail:sub(#fraction + 2) end
  hour, minute, second = tonumber(hour), tonumber(minute), tonumber(second) or 0
  local offset_seconds = parse_offset(tail)
  if hour > 23 or minute > 59 or second > 59 or not offset_seconds then
    return nil, "not an ISO 8601 date-time"
  end
  local epoch = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
  return format_datetime(epoch - offset_seconds, fraction and "." .. fraction)
end

------------------------------------------------------------------ types

local TRUE_WORDS = { ["true"] = true, yes = true, y = true, ["1"] = true, on = true }
local FALSE_WORDS = { ["false"] = true, no = true, n = true, ["0"] = true, off = true }

-- Decimal numbers only: tonumber would also take "0x1F" and " 12 ".
local function parse_decimal(s)
  if not s:find("^[+-]?%d*%.?%d+[eE]?[+-]?%d*$") then return nil end
  local number = tonumber(s)
  if number and number == number and math.abs(number) ~= math.huge then return number end
end

local function format_number(number)
  if math.type(number) == "float" and number == math.floor(number) and math.abs(number) < 2^53 then
    return string.format("%d", number)
  end
  return tostring(number)
end

local converters = {}

function converters.string(value)
  local kind = type(value)
  if kind == "string" then return value end
  if kind == "number" then return format_number(value) end
  if kind == "boolean" then return tostring(value) end
  return nil, "expected a string, got a " .. kind
end

function converters.number(value)
  if type(value) == "number" then return value end
  if type(value) == "string" then
    local number = parse_decimal(value)
    if number then return number end
    return nil, "expected a number, got '" .. value .. "'"
  end
  return nil, "expected a number, got a " .. type(value)
end

function converters.integer(value)
  local number, problem = converters.number(value)
  if not number then return nil, (problem:gsub("a number", "an integer", 1)) end
  local integer = math.tointeger(number)
  if not integer then return nil, "expected an integer, got " .. format_number(number) end
  return integer
end

function converters.boolean(value)
  local kind = type(value)
  if kind == "boolean" then return value end
  if kind == "number" and (value == 0 or value == 1) then return value == 1 end
  if kind == "string" then
    local word = value:lower()
    if TRUE_WORDS[word] then return true end
    if FALSE_WORDS[word] then return false end
  end
  return nil, "expected a boolean, got " .. (kind == "string" and "'" .. value .. "'" or "a " .. kind)
end

function converters.date(value)
  if type(value) == "number" then return epoch_to_iso(value) end
  if type(value) ~= "string" then return nil, "expected a date, got a " .. type(value) end
  local epoch = parse_decimal(value)
  if epoch then return epoch_to_iso(epoch) end
  return iso_text_to_iso(value)
end

local function describe_allowed(values)
  local names = {}
  if values[1] ~= nil then
    for _, allowed in ipairs(values) do names[#names + 1] = tostring(allowed) end
  else
    for allowed in pairs(values) do names[#names + 1] = tostring(allowed) end
    table.sort(names)
  end
  return table.concat(names, ", ")
end

-- Exact match first, then case-insensitive for strings.
local function find_enum_value(value, values)
  local is_list = values[1] ~= nil
  local lowered = type(value) == "string" and value:lower()
  if is_list then
    for _, allowed in ipairs(values) do
      if allowed == value then return allowed end
    end
    for _, allowed in ipairs(values) do
      if lowered and type(allowed) == "string" and allowed:lower() == lowered then return allowed end
    end
    return nil
  end
  if values[value] ~= nil then return values[value] end
  for key, mapped in pairs(values) do
    if lowered and type(key) == "string" and key:lower() == lowered then return mapped end
  end
end

function converters.enum(value, rule)
  local found = find_enum_value(value, rule.values)
  if found == nil then
    return nil, "unexpected value '" .. tostring(value) .. "' (allowed: " ..
      describe_allowed(rule.values) .. ")"
  end
  return found
end

-- Converts one value as `rule` (a schema rule) says: rule.type, then
-- rule.transform. Returns the value, or nil and a message.
function mapping.convert(value, rule)
  local converted, problem = value, nil
  if rule.type then
    converted, problem = converters[rule.type](value, rule)
    if converted == nil then return nil, problem end
  end
  if rule.transform then
    local ok, result, reason = pcall(rule.transform, converted)
    if not ok then return nil, "transform failed: " .. tostring(result) end
    if result == nil and reason ~= nil then return nil, tostring(reason) end
    converted = result
  end
  return converted
end

------------------------------------------------------------------ schemas

local function check_rule(rule, index)
  local function misuse(message)
    error("bad argument #2 to 'apply' (rule " .. index .. ": " .. message .. ")", 4)
  end
  if type(rule) ~= "table" then misuse("table expected") end
  if type(rule.from) ~= "string" then misuse("'from' must be a path string") end
  if rule.to ~= nil and type(rule.to) ~= "string" then misuse("'to' must be a path string") end
  if rule.type ~= nil and not converters[rule.type] then misuse("unknown type '" .. tostring(rule.type) .. "'") end
  if rule.type == "enum" and type(rule.values) ~= "table" then misuse("enum needs 'values'") end
  if rule.transform ~= nil and type(rule.transform) ~= "function" then
    misuse("'transform' must be a function")
  end
end

-- Absent, JSON null and blank strings all mean "no value": CRMs send "" for
-- a cleared field as often as they omit it.
local function is_missing(value)
  return value == nil or value == json.null or (type(value) == "string" and not value:find("%S"))
end

-- Maps one rule into `target`; returns an error entry or nil.
local function apply_rule(source, rule, target)
  local value = mapping.get(source, rule.from)
  if is_missing(value) then value = rule.default end
  if is_missing(value) then
    if rule.required then return { field = rule.from, message = "required" } end
    return nil
  end
  local converted, problem = mapping.convert(value, rule)
  if converted == nil then
    return { field = rule.from, message = problem or "transform returned nil" }
  end
  mapping.set(target, rule.to or rule.from, converted)
end

-- Applies `schema` (a list of rules) to `source`. Returns the new record,
-- or nil and the list of { field = <source path>, message = ... } for every
-- rule that failed, in schema order. A malformed schema raises.
function mapping.apply(source, schema)
  if type(source) ~= "table" then
    error("bad argument #1 to 'apply' (table expected, got " .. type(source) .. ")", 2)
  end
  if type(schema) ~= "table" then
    error("bad argument #2 to 'apply' (table expected, got " .. type(schema) .. ")", 2)
  end
  for index, rule in ipairs(schema) do check_rule(rule, index) end
  local target, errors = {}, {}
  for _, rule in ipairs(schema) do
    errors[#errors + 1] = apply_rule(source, rule, target)
  end
  if #errors > 0 then return nil, errors end
  return target
end

return mapping
