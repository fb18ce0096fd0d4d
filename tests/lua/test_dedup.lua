-- weft.dedup: similarity functions, phonetic codes and grouping by each method.
local t = require "testlib"
local dedup = require "weft.dedup"

for _, case in ipairs {
  { "kitten", "sitting", 3 }, { "flaw", "lawn", 2 }, { "", "abc", 3 }, { "abc", "", 3 },
  { "", "", 0 }, { "same", "same", 0 }, { "café", "cafe", 1 }, { "naïve", "naive", 1 },
  { "Zoë", "Zoe", 1 }, { "日本語", "日本", 1 }, { "ab", "ba", 2 },
} do
  t.eq(dedup.levenshtein(case[1], case[2]), case[3], "levenshtein " .. case[1] .. "/" .. case[2])
end
for _, case in ipairs {
  { "martha", "marhta", 1 - 2 / 6 }, { "", "", 1.0 }, { "abc", "xyz", 0.0 }, { "café", "cafe", 0.75 },
} do
  t.near(dedup.levenshtein_similarity(case[1], case[2]), case[3], "levenshtein_similarity " .. case[1])
end

-- { a, b, jaro, jaro_winkler }
for _, case in ipairs {
  { "MARTHA", "MARHTA", 0.944444, 0.961111 },
  { "DWAYNE", "DUANE", 0.822222, 0.840000 },
  { "DIXON", "DICKSONX", 0.766667, 0.813333 },
  { "same", "same", 1.0, 1.0 },
  { "", "", 1.0, 1.0 },
  { "abc", "", 0.0, 0.0 },
  { "abc", "xyz", 0.0, 0.0 },
  { "Jürgen", "Jurgen", 0.888889, 0.900000 },
} do
  t.near(dedup.jaro(case[1], case[2]), case[3], "jaro " .. case[1] .. "/" .. case[2], 1e-6)
  t.near(dedup.jaro_winkler(case[1], case[2]), case[4], "jaro_winkler " .. case[1] .. "/" .. case[2], 1e-6)
end
t.near(dedup.jaro_winkler("MARTHA", "MARHTA", 0.2), 0.944444 + 3 * 0.2 * (1 - 0.944444), "prefix scale", 1e-5)
t.near(dedup.jaro_winkler("MARTHA", "MARHTA", 0.9), dedup.jaro_winkler("MARTHA", "MARHTA", 0.25),
  "prefix scale capped at 0.25")
t.err(function() dedup.jaro_winkler("a", nil) end, "bad argument #2 to 'jaro_winkler' (string expected, got nil)",
  "jaro_winkler argument check")

for _, case in ipairs {
  { "Robert", "R163" }, { "Rupert", "R163" }, { "Rubin", "R150" }, { "Ashcraft", "A261" },
  { "Ashcroft", "A261" }, { "Tymczak", "T522" }, { "Pfister", "P236" }, { "Honeyman", "H555" },
  { "Lee", "L000" }, { "o'Hara", "O600" }, { "Müller", "M460" }, { "", "" }, { "1234", "" },
} do
  t.eq(dedup.soundex(case[1]), case[2], "soundex " .. case[1])
end

-- { word, primary, alternate }
for _, case in ipairs {
  { "Smith", "SM0", "XMT" }, { "Schmidt", "XMT", "SMT" }, { "Thompson", "TMPS", "TMPS" },
  { "Jose", "HS", "HS" }, { "Xavier", "SF", "SFR" }, { "Michael", "MKL", "MXL" },
  { "Caesar", "SSR", "SSR" }, { "Chianti", "KNT", "KNT" }, { "Edge", "AJ", "AJ" },
  { "Edgar", "ATKR", "ATKR" }, { "Hugh", "H", "H" }, { "Laugh", "LF", "LF" },
  { "Arnow", "ARN", "ARNF" }, { "Arnoff", "ARNF", "ARNF" }, { "Wasserman", "ASRM", "FSRM" },
  { "Vasserman", "FSRM", "FSRM" }, { "Gallegos", "KLKS", "KKS" }, { "Jones", "JNS", "ANS" },
  { "Catherine", "K0RN", "KTRN" }, { "Katherine", "K0RN", "KTRN" }, { "Schneider", "XNTR", "SNTR" },
  { "Snider", "SNTR", "XNTR" }, { "Dumb", "TM", "TM" }, { "Filipowicz", "FLPT", "FLPF" },
  { "Zhao", "J", "J" }, { "Accident", "AKST", "AKST" }, { "Bacchus", "PKS", "PKS" },
  { "Müller", "MLR", "MLR" }, { "François", "FRNS", "FRNS" }, { "Knight", "NT", "NT" },
  { "Rogier", "RJ", "RJR" }, { "Breaux", "PR", "PR" }, { "Cabrillo", "KPRL", "KPR" },
  { "Tagliaro", "TKLR", "TLR" }, { "Ghislane", "JLN", "JLN" }, { "Island", "ALNT", "ALNT" },
  { "Sugar", "XKR", "SKR" }, { "Campbell", "KMPL", "KMPL" }, { "Thomas", "TMS", "TMS" },
  { "McHugh", "MK", "MK" }, { "Czerny", "SRN", "XRN" }, { "Focaccia", "FKX", "FKX" },
  { "", "", "" }, { "---", "", "" },
} do
  local primary, alternate = dedup.double_metaphone(case[1])
  t.eq({ primary, alternate }, { case[2], case[3] }, "double_metaphone " .. case[1])
end
t.eq({ dedup.double_metaphone("Christopherson", 8) }, { "KRSTFRSN", "KRSTFRSN" }, "longer codes on request")
t.err(function() dedup.double_metaphone(42) end, "string expected, got number", "double_metaphone argument check")

-- Grouping.
t.eq(dedup.normalize_key("  Jane   DOE "), "jane doe", "normalize_key")
t.eq(dedup.normalize_key("   "), nil, "blank key is absent")

local people = {
  { name = "Jane Doe", contact = { email = "jane@example.com" } },
  { name = "Bob", contact = { email = "BOB@x.com" } },
  { name = "jane  doe ", contact = { email = " Jane@Example.com" } },
  { name = "Robert", contact = { email = "bob@x.com" } },
  { name = "Alice" },
  { name = "Alice" },
}
t.eq(dedup.groups(people, { keys = { "contact.email" } }), {
  { members = { 1, 3 }, scores = { { 1, 3, 1.0 } } },
  { members = { 2, 4 }, scores = { { 2, 4, 1.0 } } },
}, "exact by nested e-mail; records without the key stay out")
t.eq(dedup.groups(people, { keys = { "name" }, method = "exact" }), {
  { members = { 1, 3 }, scores = { { 1, 3, 1.0 } } },
  { members = { 5, 6 }, scores = { { 5, 6, 1.0 } } },
}, "exact by name")
t.eq(dedup.groups(people, { keys = { "name", "contact.email" } }), {
  { members = { 1, 3 }, scores = { { 1, 3, 1.0 } } },
}, "exact needs every key")
t.eq(dedup.groups({ { id = 1 }, { id = 1 }, { id = 1 } }, { keys = { "id" } }), {
  { members = { 1, 2, 3 }, scores = { { 1, 2, 1.0 }, { 1, 3, 1.0 }, { 2, 3, 1.0 } } },
}, "numbers as keys, every pair scored")
t.eq(dedup.groups({}, { keys = { "id" } }), {}, "no records, no groups")

local names = { { n = "Martha" }, { n = "Marhta" }, { n = "Dwayne" }, { n = "Duane" }, { n = "Zed" } }
local groups = dedup.groups(names, { keys = { "n" }, method = "fuzzy" })
t.eq(#groups, 1, "fuzzy at the default threshold 0.9")
t.eq(groups[1].members, { 1, 2 }, "fuzzy members")
t.near(groups[1].scores[1][3], 0.961111, "fuzzy pair score", 1e-6)
groups = dedup.groups(names, { keys = { "n" }, method = "fuzzy", threshold = 0.8 })
t.eq({ groups[1].members, groups[2].members }, { { 1, 2 }, { 3, 4 } }, "fuzzy at 0.8")
t.eq(dedup.groups(names, { keys = { "n" }, method = "fuzzy", similarity = "levenshtein" }), {},
  "levenshtein similarity is stricter")
t.eq(#dedup.groups(names, { keys = { "n" }, method = "fuzzy", similarity = "levenshtein", threshold = 0.6 }),
  2, "levenshtein at 0.6")

local sounding = { { n = "John Smith" }, { n = "Jon Smyth" }, { n = "Mary Smith" }, { n = "Schmidt" } }
t.eq(dedup.groups(sounding, { keys = { "n" }, method = "phonetic" }), {
  { members = { 1, 2 }, scores = { { 1, 2, 1.0 } } },
}, "phonetic: every word must sound alike")
t.eq(#dedup.groups(sounding, { keys = { "n" }, method = "phonetic", threshold = 0.5 }), 1,
  "phonetic at 0.5 joins Mary Smith by her surname")
t.eq(dedup.groups({ { n = "Robert" }, { n = "Rupert" }, { n = "Rubin" } },
  { keys = { "n" }, method = "phonetic", phonetic = "soundex" }),
  { { members = { 1, 2 }, scores = { { 1, 2, 1.0 } } } }, "phonetic with soundex")

local numbers = { { v = 1 }, { v = 2 }, { v = 3 }, { v = 10 } }
t.eq(dedup.groups(numbers, { method = function(a, b) return math.abs(a.v - b.v) <= 1 end }), {
  { members = { 1, 2, 3 }, scores = { { 1, 2, 1.0 }, { 2, 3, 1.0 } } },
}, "custom comparison; groups are transitive")
t.eq(dedup.groups(numbers, { method = function(a, b) return 1 / (1 + math.abs(a.v - b.v)) end, threshold = 0.4 }), {
  { members = { 1, 2, 3 }, scores = { { 1, 2, 0.5 }, { 2, 3, 0.5 } } },
}, "custom score with threshold")

for _, case in ipairs {
  { { keys = { "a" }, method = "sounds" }, "method must be 'exact', 'fuzzy', 'phonetic' or a function" },
  { { method = "fuzzy" }, "keys must list at least one field path" },
  { { keys = { "a" }, threshold = "high" }, "threshold must be a number" },
  { nil, "options table expected" },
} do
  t.err(function() dedup.groups({}, case[1]) end, case[2], "groups misuse: " .. case[2])
end
t.err(function() dedup.groups(nil, { keys = { "a" } }) end, "bad argument #1 to 'groups'", "records checked")
