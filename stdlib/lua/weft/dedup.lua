-- weft.dedup: finds duplicate records — exact (normalised keys), fuzzy
-- (Jaro-Winkler or Levenshtein similarity), phonetic (Double Metaphone or
-- Soundex) or by a caller's comparison — and exposes the similarity
-- functions themselves. Pure functions: callable anywhere, never yield.
local mapping = require "weft.mapping"
local phonetic = require "weft.phonetic"

local dedup = {
  soundex = phonetic.soundex,
  double_metaphone = phonetic.double_metaphone,
}

-- Code points of `s` (bytes when `s` is not valid UTF-8), so that "é"
-- counts as one character.
local function code_points(s)
  local points = {}
  if utf8.len(s) then
    for _, code in utf8.codes(s) do points[#points + 1] = code end
  else
    for i = 1, #s do points[i] = s:byte(i) end
  end
  return points
end

local function check_strings(a, b, fname)
  for position = 1, 2 do
    local value = position == 1 and a or b
    if type(value) ~= "string" then
      error(string.format("bad argument #%d to '%s' (string expected, got %s)",
        position, fname, type(value)), 3)
    end
  end
end

------------------------------------------------------------------ similarity

-- Edit distance (insertions, deletions, substitutions) between a and b, in
-- code points. Two rows of the matrix are enough.
function dedup.levenshtein(a, b)
  check_strings(a, b, "levenshtein")
  local x, y = code_points(a), code_points(b)
  local previous = {}
  for j = 0, #y do previous[j] = j end
  for i = 1, #x do
    local current = { [0] = i }
    for j = 1, #y do
      local substitution = previous[j - 1] + (x[i] == y[j] and 0 or 1)
      current[j] = math.min(previous[j] + 1, current[j - 1] + 1, substitution)
    end
    previous = current
  end
  return previous[#y]
end

-- 1 - distance / length of the longer string: 1 for equal strings, 0 for
-- nothing in common.
function dedup.levenshtein_similarity(a, b)
  check_strings(a, b, "levenshtein_similarity")
  local longest = math.max(utf8.len(a) or #a, utf8.len(b) or #b)
  if longest == 0 then return 1.0 end
  return 1.0 - dedup.levenshtein(a, b) / longest
end

-- Characters of x matched in y within the Jaro window, in x's order.
local function jaro_matches(x, y)
  local window = math.max(math.max(#x, #y) // 2 - 1, 0)
  local taken, matched_x, matched_y = {}, {}, {}
  for i = 1, #x do
    for j = math.max(1, i - window), math.min(#y, i + window) do
      if not taken[j] and x[i] == y[j] then
        taken[j] = true
        matched_x[#matched_x + 1] = x[i]
        break
      end
    end
  end
  for j = 1, #y do
    if taken[j] then matched_y[#matched_y + 1] = y[j] end
  end
  return matched_x, matched_y
end

local function jaro_of_points(x, y)
  if #x == 0 and #y == 0 then return 1.0 end
  local matched_x, matched_y = jaro_matches(x, y)
  local m = #matched_x
  if m == 0 then return 0.0 end
  local out_of_order = 0
  for k = 1, m do
    if matched_x[k] ~= matched_y[k] then out_of_order = out_of_order + 1 end
  end
  local transpositions = out_of_order / 2
  return (m / #x + m / #y + (m - transpositions) / m) / 3
end

-- Jaro similarity in [0, 1].
function dedup.jaro(a, b)
  check_strings(a, b, "jaro")
  return jaro_of_points(code_points(a), code_points(b))
end

-- Jaro-Winkler similarity in [0, 1]: Jaro raised for a common prefix of up
-- to 4 characters, by `prefix_scale` (default 0.1, at most 0.25).
function dedup.jaro_winkler(a, b, prefix_scale)
  check_strings(a, b, "jaro_winkler")
  local x, y = code_points(a), code_points(b)
  local similarity = jaro_of_points(x, y)
  prefix_scale = math.min(prefix_scale or 0.1, 0.25)
  local prefix = 0
  while prefix < 4 and prefix < #x and prefix < #y and x[prefix + 1] == y[prefix + 1] do
    prefix = prefix + 1
  end
  return similarity + prefix * prefix_scale * (1 - similarity)
end

------------------------------------------------------------------ keys

-- Key text: trimmed, lower-cased, inner whitespace collapsed; nil for
-- absent or blank values.
function dedup.normalize_key(value)
  if value == nil or type(value) == "table" or type(value) == "userdata" then return nil end
  local key = tostring(value):lower():gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  if key == "" then return nil end
  return key
end

local function all_present(keys, count)
  for index = 1, count do
    if keys[index] == nil then return false end
  end
  return true
end

local function record_keys(record, options)
  local normalize = options.normalize or dedup.normalize_key
  local keys = {}
  for index, path in ipairs(options.keys) do keys[index] = normalize(mapping.get(record, path)) end
  return keys
end

------------------------------------------------------------------ comparisons

local function phonetic_codes(word, algorithm)
  if algorithm == "soundex" then return { phonetic.soundex(word) } end
  local primary, alternate = phonetic.double_metaphone(word)
  return { primary, alternate }
end

local function share_a_code(a_codes, b_codes)
  for _, a in ipairs(a_codes) do
    for _, b in ipairs(b_codes) do
      if a ~= "" and a == b then return true end
    end
  end
  return false
end

-- Share of word positions whose words sound alike ("Jon Smyth" vs "John
-- Smith" → 1; a different number of words lowers the score).
local function phonetic_similarity(a, b, algorithm)
  local a_words, b_words = {}, {}
  for word in a:gmatch("%S+") do a_words[#a_words + 1] = word end
  for word in b:gmatch("%S+") do b_words[#b_words + 1] = word end
  local alike = 0
  for i = 1, math.min(#a_words, #b_words) do
    if share_a_code(phonetic_codes(a_words[i], algorithm), phonetic_codes(b_words[i], algorithm)) then
      alike = alike + 1
    end
  end
  return alike / math.max(#a_words, #b_words)
end

local KEY_SIMILARITY = {
  fuzzy = function(a, b, options)
    if options.similarity == "levenshtein" then return dedup.levenshtein_similarity(a, b) end
    return dedup.jaro_winkler(a, b)
  end,
  phonetic = function(a, b, options)
    return phonetic_similarity(a, b, options.phonetic or "double_metaphone")
  end,
}

-- Mean similarity over the keys both records have; nil when they share none.
local function keyed_score(a_keys, b_keys, options)
  local similarity = KEY_SIMILARITY[options.method]
  local total, compared = 0, 0
  for index = 1, #options.keys do
    local a, b = a_keys[index], b_keys[index]
    if a and b then
      total = total + similarity(a, b, options)
      compared = compared + 1
    end
  end
  if compared == 0 then return nil end
  return total / compared
end

------------------------------------------------------------------ grouping

-- Union-find over record indexes: pairs that match join one group, so
-- groups are the connected components of the "matches" relation.
local function new_partition(count)
  local parent = {}
  for i = 1, count do parent[i] = i end
  local function root(i)
    while parent[i] ~= i do
      parent[i] = parent[parent[i]]
      i = parent[i]
    end
    return i
  end
  return {
    join = function(i, j) parent[root(j)] = root(i) end,
    root = root,
  }
end

-- Groups of two or more members, ordered by their first member; each with
-- the scores of the matching pairs inside it.
local function collect_groups(count, partition, pairs_found)
  local by_root, groups = {}, {}
  for i = 1, count do
    local root = partition.root(i)
    local group = by_root[root]
    if not group then
      group = { members = {}, scores = {} }
      by_root[root] = group
      groups[#groups + 1] = group
    end
    group.members[#group.members + 1] = i
  end
  for _, pair in ipairs(pairs_found) do
    local scores = by_root[partition.root(pair[1])].scores
    scores[#scores + 1] = pair
  end
  local duplicates = {}
  for _, group in ipairs(groups) do
    if #group.members > 1 then duplicates[#duplicates + 1] = group end
  end
  return duplicates
end

-- Records whose every key is present and equal pair up, with score 1.
local function exact_pairs(records, options)
  local found, members_by_key = {}, {}
  for i, record in ipairs(records) do
    local keys = record_keys(record, options)
    local key = all_present(keys, #options.keys) and table.concat(keys, "\0")
    if key then
      local members = members_by_key[key] or {}
      for _, j in ipairs(members) do found[#found + 1] = { j, i, 1.0 } end
      members[#members + 1] = i
      members_by_key[key] = members
    end
  end
  return found
end

local function scored_pairs(records, options, score)
  local found = {}
  for i = 1, #records - 1 do
    for j = i + 1, #records do
      local value = score(i, j)
      if value == true then value = 1.0 end
      if type(value) == "number" and value >= options.threshold then found[#found + 1] = { i, j, value } end
    end
  end
  return found
end

local function keyed_pairs(records, options)
  local keys = {}
  for i, record in ipairs(records) do keys[i] = record_keys(record, options) end
  return scored_pairs(records, options, function(i, j) return keyed_score(keys[i], keys[j], options) end)
end

local function custom_pairs(records, options)
  local compare = options.method
  return scored_pairs(records, options, function(i, j) return compare(records[i], records[j]) end)
end

local DEFAULT_THRESHOLDS = { exact = 1.0, fuzzy = 0.9, phonetic = 1.0 }

local function check_options(options)
  local function misuse(message) error("bad argument #2 to 'groups' (" .. message .. ")", 4) end
  if type(options) ~= "table" then misuse("options table expected") end
  local method = options.method or "exact"
  if type(method) ~= "function" and not DEFAULT_THRESHOLDS[method] then
    misuse("method must be 'exact', 'fuzzy', 'phonetic' or a function")
  end
  if type(method) ~= "function" and (type(options.keys) ~= "table" or #options.keys == 0) then
    misuse("keys must list at least one field path")
  end
  local threshold = options.threshold or DEFAULT_THRESHOLDS[method] or 1.0
  if type(threshold) ~= "number" then misuse("threshold must be a number") end
  return {
    method = method, keys = options.keys or {}, threshold = threshold, normalize = options.normalize,
    similarity = options.similarity, phonetic = options.phonetic,
  }
end

-- Groups duplicate records. options: keys (field paths), method ("exact",
-- "fuzzy", "phonetic" or function(a, b) → score in [0, 1] or boolean),
-- threshold, similarity ("jaro_winkler" | "levenshtein", for fuzzy),
-- phonetic ("double_metaphone" | "soundex"), normalize (key function).
-- Returns a list of { members = { i, ... }, scores = { { i, j, score }, ... } }.
function dedup.groups(records, options)
  if type(records) ~= "table" then
    error("bad argument #1 to 'groups' (table expected, got " .. type(records) .. ")", 2)
  end
  options = check_options(options)
  local found
  if type(options.method) == "function" then
    found = custom_pairs(records, options)
  elseif options.method == "exact" then
    found = exact_pairs(records, options)
  else
    found = keyed_pairs(records, options)
  end
  local partition = new_partition(#records)
  for _, pair in ipairs(found) do partition.join(pair[1], pair[2]) end
  return collect_groups(#records, partition, found)
end

return dedup
