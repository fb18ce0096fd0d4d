-- weft.mapping: paths, type conversions, dates, enums, defaults, required
-- fields, transforms, error collection and schema misuse.
local t = require "testlib"
local mapping = require "weft.mapping"
local json = require "weft.json"

-- Paths.
local record = { a = { b = { c = 1 } }, items = { { sku = "X1" }, { sku = "X2" } }, flat = 5 }
for _, case in ipairs {
  { "a.b.c", 1 }, { "items.2.sku", "X2" }, { "flat", 5 }, { "a.missing.c", nil },
  { "flat.deeper", nil }, { "items.3.sku", nil },
} do
  t.eq(mapping.get(record, case[1]), case[2], "get " .. case[1])
end
local target = {}
mapping.set(target, "x.y.z", 1)
mapping.set(target, "x.y.w", 2)
mapping.set(target, "top", 3)
t.eq(target, { x = { y = { z = 1, w = 2 } }, top = 3 }, "set creates nested tables")
t.err(function() mapping.set({ x = 1 }, "x.y", 2) end, "'x' already holds a number", "set through a scalar")

-- Conversions, one rule at a time: { rule, input, expected } or
-- { rule, input, nil, message }.
local conversions = {
  { { type = "string" }, "abc", "abc" },
  { { type = "string" }, 42, "42" },
  { { type = "string" }, 42.0, "42" },
  { { type = "string" }, 2.5, "2.5" },
  { { type = "string" }, true, "true" },
  { { type = "string" }, {}, nil, "expected a string, got a table" },
  { { type = "number" }, "12.5", 12.5 },
  { { type = "number" }, "-3", -3 },
  { { type = "number" }, "1e3", 1000.0 },
  { { type = "number" }, 7, 7 },
  { { type = "number" }, "0x1F", nil, "expected a number, got '0x1F'" },
  { { type = "number" }, "12abc", nil, "expected a number, got '12abc'" },
  { { type = "number" }, true, nil, "expected a number, got a boolean" },
  { { type = "integer" }, "42", 42 },
  { { type = "integer" }, 42.0, 42 },
  { { type = "integer" }, "12.5", nil, "expected an integer, got 12.5" },
  { { type = "integer" }, "ten", nil, "expected an integer, got 'ten'" },
  { { type = "boolean" }, "Yes", true },
  { { type = "boolean" }, "off", false },
  { { type = "boolean" }, 1, true },
  { { type = "boolean" }, 0, false },
  { { type = "boolean" }, false, false },
  { { type = "boolean" }, "maybe", nil, "expected a boolean, got 'maybe'" },
  { { type = "boolean" }, 2, nil, "expected a boolean, got a number" },
  { { type = "date" }, "2026-11-22", "2026-11-22" },
  { { type = "date" }, "2024-02-29", "2024-02-29" },
  { { type = "date" }, "2026-11-22T10:30:00Z", "2026-11-22T10:30:00Z" },
  { { type = "date" }, "2026-11-22T10:30Z", "2026-11-22T10:30:00Z" },
  { { type = "date" }, "2026-11-22 10:30:15", "2026-11-22T10:30:15Z" },
  { { type = "date" }, "2026-11-22T10:30:15.250+02:00", "2026-11-22T08:30:15.250Z" },
  { { type = "date" }, "2026-01-01T01:00:00+0530", "2025-12-31T19:30:00Z" },
  { { type = "date" }, "2026-12-31T23:00:00-02:00", "2027-01-01T01:00:00Z" },
  { { type = "date" }, 0, "1970-01-01T00:00:00Z" },
  { { type = "date" }, 1700000000, "2023-11-14T22:13:20Z" },
  { { type = "date" }, "1700000000", "2023-11-14T22:13:20Z" },
  { { type = "date" }, 951782400, "2000-02-29T00:00:00Z" },
  { { type = "date" }, 1700000000.5, "2023-11-14T22:13:20.500Z" },
  { { type = "date" }, -86400, "1969-12-31T00:00:00Z" },
  { { type = "date" }, "2023-02-29", nil, "no such date" },
  { { type = "date" }, "2026-13-01", nil, "no such date" },
  { { type = "date" }, "22/11/2026", nil, "not an ISO 8601 date" },
  { { type = "date" }, "2026-11-22T25:00:00Z", nil, "not an ISO 8601 date-time" },
  { { type = "date" }, "2026-11-22T10:30:00+25:00", nil, "not an ISO 8601 date-time" },
  { { type = "date" }, "2026-11-22T10:30:0012", nil, "not an ISO 8601 date-time" },
  { { type = "date" }, true, nil, "expected a date, got a boolean" },
  { { type = "enum", values = { "open", "won", "lost" } }, "won", "won" },
  { { type = "enum", values = { "open", "won", "lost" } }, "WON", "won" },
  { { type = "enum", values = { "open", "won" } }, "maybe", nil, "unexpected value 'maybe' (allowed: open, won)" },
  { { type = "enum", values = { ["Closed Won"] = "won", ["Closed Lost"] = "lost" } }, "closed won", "won" },
  { { type = "enum", values = { ["Closed Won"] = "won", Open = "open" } }, "Pending", nil,
    "unexpected value 'Pending' (allowed: Closed Won, Open)" },
  { { type = "enum", values = { [1] = "one", [2] = "two" } }, 3, nil, "unexpected value '3' (allowed: one, two)" },
  { { type = "string", transform = string.upper }, "abc", "ABC" },
  { { transform = function(v) return nil, "too short" end }, "a", nil, "too short" },
  { { transform = function() error("boom", 0) end }, "a", nil, "transform failed: boom" },
}
for _, case in ipairs(conversions) do
  local rule, input, expected, message = case[1], case[2], case[3], case[4]
  local value, problem = mapping.convert(input, rule)
  t.eq({ value, problem }, { expected, message },
    "convert " .. t.describe(input) .. " as " .. tostring(rule.type or "transform"))
end

-- A whole schema.
local crm_contact = {
  Id = "003A1", Email = " Jane@Example.com ", Phone = "", Amount = "1200.50",
  Owner = { Name = "Sam", Region = "EMEA" }, Active = "true", Stage = "Closed Won",
  CreatedDate = "2026-11-22T10:30:00+01:00", Optional = json.null,
}
local schema = {
  { from = "Id", to = "external_id", type = "string", required = true },
  { from = "Email", to = "contact.email", type = "string", required = true,
    transform = function(v) return (v:gsub("^%s+", ""):gsub("%s+$", ""):lower()) end },
  { from = "Phone", to = "contact.phone", type = "string" },
  { from = "Amount", to = "deal.amount", type = "number" },
  { from = "Owner.Name", to = "owner" },
  { from = "Owner.Region", to = "region", type = "enum", values = { EMEA = "eu", AMER = "us" } },
  { from = "Active", to = "active", type = "boolean" },
  { from = "Stage", to = "deal.stage", type = "enum", values = { ["Closed Won"] = "won" } },
  { from = "CreatedDate", to = "created_at", type = "date" },
  { from = "Optional", to = "optional", default = "fallback" },
  { from = "Missing", to = "source", default = "crm" },
  { from = "Flag" },
}
local mapped, errors = mapping.apply(crm_contact, schema)
t.eq(errors, nil, "schema applies without errors")
t.eq(mapped, {
  external_id = "003A1", contact = { email = "jane@example.com" }, deal = { amount = 1200.5, stage = "won" },
  owner = "Sam", region = "eu", active = true, created_at = "2026-11-22T09:30:00Z",
  optional = "fallback", source = "crm",
}, "mapped record")

local invalid = { Email = "  ", Amount = "lots", Stage = "Unknown", Active = "yes" }
mapped, errors = mapping.apply(invalid, schema)
t.eq(mapped, nil, "no record when a field fails")
t.eq(errors, {
  { field = "Id", message = "required" },
  { field = "Email", message = "required" },
  { field = "Amount", message = "expected a number, got 'lots'" },
  { field = "Stage", message = "unexpected value 'Unknown' (allowed: Closed Won)" },
}, "every failing field is reported in schema order")

t.eq(mapping.apply({}, {}), {}, "empty schema gives an empty record")
t.eq({ mapping.apply({ n = "5" }, { { from = "n", type = "integer", to = "count" } }) }, { { count = 5 } },
  "success returns a single value")

-- Schema mistakes raise instead of being reported as data errors.
for _, case in ipairs {
  { { { from = "a", type = "strin" } }, "rule 1: unknown type 'strin'" },
  { { { from = "a" }, { to = "b" } }, "rule 2: 'from' must be a path string" },
  { { { from = "a", type = "enum" } }, "rule 1: enum needs 'values'" },
  { { { from = "a", transform = "upper" } }, "rule 1: 'transform' must be a function" },
  { { "a" }, "rule 1: table expected" },
} do
  t.err(function() mapping.apply({}, case[1]) end, case[2], "schema error: " .. case[2])
end
t.err(function() mapping.apply(nil, {}) end, "bad argument #1 to 'apply' (table expected, got nil)",
  "source must be a table")
