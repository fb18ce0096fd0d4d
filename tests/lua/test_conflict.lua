-- weft.conflict: three-way diff and every resolution strategy.
local t = require "testlib"
local conflict = require "weft.conflict"
local json = require "weft.json"

local base = {
  name = "Acme", phone = "+14155550100", tags = { "a", "b" },
  address = { city = "Paris", zip = "75001" }, owner = "sam", updated_at = "2026-11-01T10:00:00Z",
}
local local_record = {
  name = "Acme Corp", phone = "+14155550100", tags = { "a", "b" },
  address = { city = "Paris", zip = "75002" }, owner = "kim", updated_at = "2026-11-20T09:00:00Z",
}
local external_record = {
  name = "Acme Inc", phone = "+14155550199", tags = { "a", "b", "c" },
  address = { city = "Paris", zip = "75002" }, owner = "sam", updated_at = "2026-11-20T10:30:00+02:00",
  website = "acme.example",
}

local changes = conflict.diff(base, local_record, external_record, { ignore = { "updated_at" } })
t.eq(changes, {
  { field = "address.zip", base_value = "75001", local_value = "75002", external_value = "75002",
    changed_by = "both", conflict = false },
  { field = "name", base_value = "Acme", local_value = "Acme Corp", external_value = "Acme Inc",
    changed_by = "both", conflict = true },
  { field = "owner", base_value = "sam", local_value = "kim", external_value = "sam",
    changed_by = "local", conflict = false },
  { field = "phone", base_value = "+14155550100", local_value = "+14155550100",
    external_value = "+14155550199", changed_by = "external", conflict = false },
  { field = "tags", base_value = { "a", "b" }, local_value = { "a", "b" }, external_value = { "a", "b", "c" },
    changed_by = "external", conflict = false },
  { field = "website", local_value = nil, external_value = "acme.example", changed_by = "external",
    conflict = false },
}, "diff: nested fields, lists as wholes, additions, ignored fields")
t.eq(conflict.diff(base, base, base), {}, "no change, no diff")
t.eq(conflict.diff({ a = 1 }, { a = json.null }, { a = 1 }), {
  { field = "a", base_value = 1, local_value = json.null, external_value = 1, changed_by = "local", conflict = false },
}, "null is a removal")
t.eq(conflict.diff({ a = json.null }, { }, { a = json.null }), {}, "null equals absent")
t.eq(conflict.diff(nil, { a = 1, b = 2 }, { a = 1, b = 3 }), {
  { field = "a", local_value = 1, external_value = 1, changed_by = "both", conflict = false },
  { field = "b", local_value = 2, external_value = 3, changed_by = "both", conflict = true },
}, "without a base every present field is a change")

local function resolve(options) return conflict.resolve(base, local_record, external_record, options) end

local result = resolve { strategy = "local_wins" }
t.eq(result.resolved, local_record, "local_wins")
t.ok(result.resolved ~= local_record, "local_wins returns a copy")
t.eq(result.conflicts, {}, "local_wins leaves no conflict")
t.eq(resolve({ strategy = "external_wins" }).resolved, external_record, "external_wins")

result = resolve { strategy = "newest_wins" }
t.eq({ result.winner, result.resolved }, { "local", local_record }, "newest_wins compares instants, not text")
for _, case in ipairs {
  { "2026-11-20T09:00:00Z", "2026-11-20T09:00:00.5Z", "external" },
  { 1700000001, "2023-11-14T22:13:20Z", "local" },
  { "2026-11-21", "2026-11-20T23:59:59Z", "local" },
  { nil, "2026-11-20", "external" },
  { "not a date", nil, "local" },
  { "2026-11-20T09:00:00Z", "2026-11-20T10:00:00+01:00", "local" },
} do
  local outcome = conflict.resolve(nil, { modified = case[1] }, { modified = case[2] },
    { strategy = "newest_wins", modified_field = "modified" })
  t.eq(outcome.winner, case[3], "newest_wins " .. tostring(case[1]) .. " vs " .. tostring(case[2]))
end
t.eq(conflict.resolve(nil, {}, {}, { strategy = "newest_wins", tie = "external" }).winner, "external",
  "newest_wins tie rule")

result = resolve { strategy = "field_merge", ignore = { "updated_at" } }
t.eq(result.resolved, nil, "field_merge with a conflict resolves nothing")
t.eq(#result.conflicts, 1, "one open conflict")
t.eq(result.conflicts[1].field, "name", "the conflicting field")
t.eq(result.partial, {
  name = "Acme Corp", phone = "+14155550199", tags = { "a", "b", "c" },
  address = { city = "Paris", zip = "75002" }, owner = "kim", updated_at = "2026-11-20T09:00:00Z",
  website = "acme.example",
}, "partial merge takes each side's own changes")

result = resolve { strategy = "field_merge", ignore = { "updated_at" }, on_conflict = "external" }
t.eq(result.conflicts, {}, "on_conflict decides")
t.eq(result.resolved.name, "Acme Inc", "on_conflict = external")
t.eq(result.resolved.owner, "kim", "local-only change kept")
t.eq(conflict.resolve({ a = 1, b = 1 }, { a = 2, b = 1 }, { a = 1 }, { strategy = "field_merge" }).resolved,
  { a = 2 }, "a removal on one side is a change")

result = resolve { strategy = "manual" }
t.eq(result.resolved, nil, "manual never resolves")
t.eq(#result.diff, 7, "manual returns the whole diff")
t.eq({ result.conflicts[1].field, result.conflicts[2].field }, { "name", "updated_at" }, "manual lists conflicts")

result = resolve { strategy = "custom", ignore = { "updated_at" }, resolvers = {
  name = function(change) return change.local_value .. " / " .. change.external_value end,
  tags = function(change) return change.base_value end,
} }
t.eq(result.conflicts, {}, "custom resolved every conflict")
t.eq({ result.resolved.name, result.resolved.tags, result.resolved.phone },
  { "Acme Corp / Acme Inc", { "a", "b" }, "+14155550199" }, "custom per field, merge elsewhere")
result = resolve { strategy = "custom", resolvers = { owner = function() return "pat" end } }
t.eq({ result.resolved, #result.conflicts }, { nil, 2 }, "custom leaves unresolved conflicts open")
result = resolve { strategy = "custom", resolver = function(change) return change.external_value end }
t.eq(result.resolved.owner, "sam", "one resolver for every field")

for _, case in ipairs {
  { { strategy = "coin_flip" }, "unknown strategy 'coin_flip'" },
  { {}, "unknown strategy 'nil'" },
  { { strategy = "field_merge", on_conflict = "mine" }, "on_conflict must be 'local' or 'external'" },
  { { strategy = "custom" }, "custom needs resolvers or resolver" },
} do
  t.err(function() resolve(case[1]) end, case[2], "resolve misuse: " .. case[2])
end
t.err(function() conflict.resolve({}, {}, {}) end, "bad argument #4 to 'resolve' (options table expected)",
  "resolve needs options")
