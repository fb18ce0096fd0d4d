-- weft.phonetic: phonetic codes for names — American Soundex and Lawrence
-- Philips' Double Metaphone (primary and alternate codes). Used by
-- weft.dedup, which re-exports both. Pure functions: callable anywhere,
-- never yield.
-- Design: Double Metaphone is one handler per letter (`rules`), each taking
-- the word and the position and returning how far to advance; the rules
-- follow Philips' original C++ case by case, with his examples in comments.
local phonetic = {}

-- Latin letters with diacritics folded to ASCII, so "Müller" encodes like
-- "Muller". Ç and Ñ are kept (as their Latin-1 bytes), because Double
-- Metaphone has rules of its own for them.
local FOLDED = {
  ["À"] = "A", ["Á"] = "A", ["Â"] = "A", ["Ã"] = "A", ["Ä"] = "A", ["Å"] = "A",
  ["È"] = "E", ["É"] = "E", ["Ê"] = "E", ["Ë"] = "E",
  ["Ì"] = "I", ["Í"] = "I", ["Î"] = "I", ["Ï"] = "I",
  ["Ò"] = "O", ["Ó"] = "O", ["Ô"] = "O", ["Õ"] = "O", ["Ö"] = "O", ["Ø"] = "O",
  ["Ù"] = "U", ["Ú"] = "U", ["Û"] = "U", ["Ü"] = "U", ["Ý"] = "Y", ["ß"] = "SS",
  ["Ç"] = "\199", ["Ñ"] = "\209",
}
local LOWER_TO_UPPER = {
  ["à"] = "À", ["á"] = "Á", ["â"] = "Â", ["ã"] = "Ã", ["ä"] = "Ä", ["å"] = "Å",
  ["è"] = "È", ["é"] = "É", ["ê"] = "Ê", ["ë"] = "Ë", ["ì"] = "Ì", ["í"] = "Í",
  ["î"] = "Î", ["ï"] = "Ï", ["ò"] = "Ò", ["ó"] = "Ó", ["ô"] = "Ô", ["õ"] = "Õ",
  ["ö"] = "Ö", ["ø"] = "Ø", ["ù"] = "Ù", ["ú"] = "Ú", ["û"] = "Û", ["ü"] = "Ü",
  ["ý"] = "Ý", ["ç"] = "Ç", ["ñ"] = "Ñ",
}

-- Upper-case ASCII with diacritics folded; other non-ASCII characters are
-- dropped.
local function fold(s)
  local out = {}
  for _, code in utf8.codes(s) do
    local char = utf8.char(code)
    if code < 128 then
      out[#out + 1] = char:upper()
    else
      out[#out + 1] = FOLDED[LOWER_TO_UPPER[char] or char] or ""
    end
  end
  return table.concat(out)
end

local function check_string(value, fname)
  if type(value) ~= "string" then
    error("bad argument #1 to '" .. fname .. "' (string expected, got " .. type(value) .. ")", 3)
  end
  if not utf8.len(value) then
    error("bad argument #1 to '" .. fname .. "' (invalid UTF-8)", 3)
  end
end

------------------------------------------------------------------ Soundex

local SOUNDEX_DIGITS = {}
for letters, digit in pairs { BFPV = "1", CGJKQSXZ = "2", DT = "3", L = "4", MN = "5", R = "6" } do
  for letter in letters:gmatch(".") do SOUNDEX_DIGITS[letter] = digit end
end

-- American Soundex ("Robert" → "R163"). H and W do not separate letters of
-- the same code, vowels do; the first letter's own code counts ("Pfister"
-- → "P236"). Returns "" when the text has no letter.
function phonetic.soundex(s)
  check_string(s, "soundex")
  local letters = fold(s):gsub("[^A-Z]", "")
  if letters == "" then return "" end
  local code = { letters:sub(1, 1) }
  local previous = SOUNDEX_DIGITS[code[1]]
  for i = 2, #letters do
    local letter = letters:sub(i, i)
    local digit = SOUNDEX_DIGITS[letter]
    if digit and digit ~= previous then
      code[#code + 1] = digit
      if #code == 4 then break end
    end
    if letter ~= "H" and letter ~= "W" then previous = digit end
  end
  return (table.concat(code) .. "000"):sub(1, 4)
end

------------------------------------------------------------------ Double Metaphone

-- The word being encoded. Positions are 0-based as in Philips' code; the
-- text is padded with spaces so that looking past the end sees " ".
local Word = {}
Word.__index = Word

local function new_word(s)
  local text = fold(s)
  return setmetatable({
    text = text .. "     ",
    length = #text,
    last = #text - 1,
    primary = {},
    secondary = {},
    slavo_germanic = text:find("[WK]") ~= nil or text:find("CZ", 1, true) ~= nil
      or text:find("WITZ", 1, true) ~= nil,
  }, Word)
end

function Word:at(position)
  if position < 0 then return "" end
  return self.text:sub(position + 1, position + 1)
end

-- True when the `count` characters at `position` equal one of the options.
function Word:is(position, count, ...)
  if position < 0 then return false end
  local piece = self.text:sub(position + 1, position + count)
  for i = 1, select("#", ...) do
    if piece == select(i, ...) then return true end
  end
  return false
end

function Word:vowel(position)
  if position < 0 or position >= self.length then return false end
  return ("AEIOUY"):find(self:at(position), 1, true) ~= nil
end

-- Philips' MetaphAdd: `main` goes to the primary code and, unless an
-- alternate is given, to the secondary; an alternate of " " means "none".
function Word:add(main, alternate)
  if main ~= "" then self.primary[#self.primary + 1] = main end
  if alternate == nil or alternate == "" then
    if main ~= "" then self.secondary[#self.secondary + 1] = main end
  elseif alternate ~= " " then
    self.secondary[#self.secondary + 1] = alternate
  end
end

function Word:starts_germanic()
  return self:is(0, 4, "VAN ", "VON ") or self:is(0, 3, "SCH")
end

-- A letter that sounds once however often it is doubled ("FF" → "F").
local function simple(code)
  return function(w, i)
    w:add(code)
    return w:at(i + 1) == w:at(i) and i + 2 or i + 1
  end
end

local rules = {}

local function vowel_rule(w, i)
  if i == 0 then w:add("A") end  -- only an initial vowel is coded
  return i + 1
end
for vowel in ("AEIOUY"):gmatch(".") do rules[vowel] = vowel_rule end

rules.B = function(w, i)  -- "-mb" as in "dumb" is handled under M
  w:add("P")
  return w:at(i + 1) == "B" and i + 2 or i + 1
end

rules["\199"] = function(w, i)  -- Ç
  w:add("S")
  return i + 1
end

local function ch_rule(w, i)
  if i > 0 and w:is(i, 4, "CHAE") then  -- "michael"
    w:add("K", "X")
    return i + 2
  end
  -- Greek roots: "chemistry", "chorus", but not "chore"
  if i == 0 and (w:is(i + 1, 5, "HARAC", "HARIS") or w:is(i + 1, 3, "HOR", "HYM", "HIA", "HEM"))
      and not w:is(0, 5, "CHORE") then
    w:add("K")
    return i + 2
  end
  -- Germanic, Greek or otherwise "ch" for the "kh" sound: "architect" but
  -- not "arch", "orchestra", "orchid"; "wachtler", "wechsler" but not "tichner"
  if w:starts_germanic() or w:is(i - 2, 6, "ORCHES", "ARCHIT", "ORCHID") or w:is(i + 2, 1, "T", "S")
      or ((w:is(i - 1, 1, "A", "O", "U", "E") or i == 0)
        and w:is(i + 2, 1, "L", "R", "N", "M", "B", "H", "F", "V", "W", " ")) then
    w:add("K")
  elseif i > 0 then
    if w:is(0, 2, "MC") then w:add("K") else w:add("X", "K") end  -- "McHugh"
  else
    w:add("X")
  end
  return i + 2
end

local function cc_rule(w, i)
  -- "bellocchio" but not "bacchus"
  if w:is(i + 2, 1, "I", "E", "H") and not w:is(i + 2, 2, "HU") then
    if (i == 1 and w:at(i - 1) == "A") or w:is(i - 1, 5, "UCCEE", "UCCES") then
      w:add("KS")  -- "accident", "accede", "succeed"
    else
      w:add("X")   -- "bacci", "bertucci"
    end
    return i + 3
  end
  w:add("K")  -- Pierce's rule
  return i + 2
end

rules.C = function(w, i)
  -- Germanic "ach" as in "bacher", "macher"
  if i > 1 and not w:vowel(i - 2) and w:is(i - 1, 3, "ACH") and w:at(i + 2) ~= "I"
      and (w:at(i + 2) ~= "E" or w:is(i - 2, 6, "BACHER", "MACHER")) then
    w:add("K")
    return i + 2
  end
  if i == 0 and w:is(i, 6, "CAESAR") then
    w:add("S")
    return i + 2
  end
  if w:is(i, 4, "CHIA") then  -- "chianti"
    w:add("K")
    return i + 2
  end
  if w:is(i, 2, "CH") then return ch_rule(w, i) end
  if w:is(i, 2, "CZ") and not w:is(i - 2, 4, "WICZ") then  -- "czerny"
    w:add("S", "X")
    return i + 2
  end
  if w:is(i + 1, 3, "CIA") then  -- "focaccia"
    w:add("X")
    return i + 3
  end
  if w:is(i, 2, "CC") and not (i == 1 and w:at(0) == "M") then return cc_rule(w, i) end  -- not "McClellan"
  if w:is(i, 2, "CK", "CG", "CQ") then
    w:add("K")
    return i + 2
  end
  if w:is(i, 2, "CI", "CE", "CY") then
    if w:is(i, 3, "CIO", "CIE", "CIA") then w:add("S", "X") else w:add("S") end  -- Italian vs English
    return i + 2
  end
  w:add("K")
  if w:is(i + 1, 2, " C", " Q", " G") then return i + 3 end  -- "mac caffrey", "mac gregor"
  if w:is(i + 1, 1, "C", "K", "Q") and not w:is(i + 1, 2, "CE", "CI") then return i + 2 end
  return i + 1
end

rules.D = function(w, i)
  if w:is(i, 2, "DG") then
    if w:is(i + 2, 1, "I", "E", "Y") then  -- "edge"
      w:add("J")
      return i + 3
    end
    w:add("TK")  -- "edgar"
    return i + 2
  end
  w:add("T")
  return w:is(i, 2, "DT", "DD") and i + 2 or i + 1
end

rules.F = simple("F")

local function gh_rule(w, i)
  if i > 0 and not w:vowel(i - 1) then
    w:add("K")
    return i + 2
  end
  if i == 0 then  -- "ghislane", "ghiradelli"
    if w:at(i + 2) == "I" then w:add("J") else w:add("K") end
    return i + 2
  end
  -- Parker's rule, refined: "hugh", "bough", "broughton" are silent
  if (i > 1 and w:is(i - 2, 1, "B", "H", "D")) or (i > 2 and w:is(i - 3, 1, "B", "H", "D"))
      or (i > 3 and w:is(i - 4, 1, "B", "H")) then
    return i + 2
  end
  -- "laugh", "McLaughlin", "cough", "gough", "rough", "tough"
  if i > 2 and w:at(i - 1) == "U" and w:is(i - 3, 1, "C", "G", "L", "R", "T") then
    w:add("F")
  elseif i > 0 and w:at(i - 1) ~= "I" then
    w:add("K")
  end
  return i + 2
end

local function gn_rule(w, i)
  if i == 1 and w:vowel(0) and not w.slavo_germanic then
    w:add("KN", "N")
  elseif not w:is(i + 2, 2, "EY") and w:at(i + 1) ~= "Y" and not w.slavo_germanic then
    w:add("N", "KN")  -- but not "cagney"
  else
    w:add("KN")
  end
  return i + 2
end

rules.G = function(w, i)
  if w:at(i + 1) == "H" then return gh_rule(w, i) end
  if w:at(i + 1) == "N" then return gn_rule(w, i) end
  if w:is(i + 1, 2, "LI") and not w.slavo_germanic then  -- "tagliaro"
    w:add("KL", "L")
    return i + 2
  end
  -- -ges-, -gep-, -gel-, -gie- at the beginning
  if i == 0 and (w:at(i + 1) == "Y"
      or w:is(i + 1, 2, "ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER")) then
    w:add("K", "J")
    return i + 2
  end
  -- -ger-, -gy-
  if (w:is(i + 1, 2, "ER") or w:at(i + 1) == "Y") and not w:is(0, 6, "DANGER", "RANGER", "MANGER")
      and not w:is(i - 1, 1, "E", "I") and not w:is(i - 1, 3, "RGY", "OGY") then
    w:add("K", "J")
    return i + 2
  end
  -- Italian, as in "biaggi"
  if w:is(i + 1, 1, "E", "I", "Y") or w:is(i - 1, 4, "AGGI", "OGGI") then
    if w:starts_germanic() or w:is(i + 1, 2, "ET") then
      w:add("K")
    elseif w:is(i + 1, 4, "IER ") then  -- always soft with a French ending
      w:add("J")
    else
      w:add("J", "K")
    end
    return i + 2
  end
  w:add("K")
  return w:at(i + 1) == "G" and i + 2 or i + 1
end

rules.H = function(w, i)
  -- kept only when first or between vowels, and before a vowel
  if (i == 0 or w:vowel(i - 1)) and w:vowel(i + 1) then
    w:add("H")
    return i + 2
  end
  return i + 1
end

rules.J = function(w, i)
  if w:is(i, 4, "JOSE") or w:is(0, 4, "SAN ") then  -- Spanish: "jose", "san jacinto"
    if (i == 0 and w:at(i + 4) == " ") or w:is(0, 4, "SAN ") then w:add("H") else w:add("J", "H") end
    return i + 1
  end
  if i == 0 then
    w:add("J", "A")  -- "Yankelovich" / "Jankelowicz"
  elseif w:vowel(i - 1) and not w.slavo_germanic and (w:at(i + 1) == "A" or w:at(i + 1) == "O") then
    w:add("J", "H")  -- Spanish, as in "bajador"
  elseif i == w.last then
    w:add("J", " ")
  elseif not w:is(i + 1, 1, "L", "T", "K", "S", "N", "M", "B", "Z") and not w:is(i - 1, 1, "S", "K", "L") then
    w:add("J")
  end
  return w:at(i + 1) == "J" and i + 2 or i + 1
end

rules.K = simple("K")

rules.L = function(w, i)
  if w:at(i + 1) ~= "L" then
    w:add("L")
    return i + 1
  end
  -- Spanish, as in "cabrillo", "gallegos"
  if (i == w.length - 3 and w:is(i - 1, 4, "ILLO", "ILLA", "ALLE"))
      or ((w:is(w.last - 1, 2, "AS", "OS") or w:is(w.last, 1, "A", "O")) and w:is(i - 1, 4, "ALLE")) then
    w:add("L", " ")
    return i + 2
  end
  w:add("L")
  return i + 2
end

rules.M = function(w, i)
  w:add("M")
  -- "dumb", "thumb": the B after M is silent
  if (w:is(i - 1, 3, "UMB") and (i + 1 == w.last or w:is(i + 2, 2, "ER"))) or w:at(i + 1) == "M" then
    return i + 2
  end
  return i + 1
end

rules.N = simple("N")

rules["\209"] = function(w, i)  -- Ñ
  w:add("N")
  return i + 1
end

rules.P = function(w, i)
  if w:at(i + 1) == "H" then
    w:add("F")
    return i + 2
  end
  w:add("P")  -- "campbell", "raspberry"
  return w:is(i + 1, 1, "P", "B") and i + 2 or i + 1
end

rules.Q = simple("K")

rules.R = function(w, i)
  -- French, as in "rogier", but not "hochmeier"
  if i == w.last and not w.slavo_germanic and w:is(i - 2, 2, "IE") and not w:is(i - 4, 2, "ME", "MA") then
    w:add("", "R")
  else
    w:add("R")
  end
  return w:at(i + 1) == "R" and i + 2 or i + 1
end

local function sch_rule(w, i)
  if w:is(i + 3, 2, "OO", "ER", "EN", "UY", "ED", "EM") then  -- Dutch: "school", "schooner"
    if w:is(i + 3, 2, "ER", "EN") then w:add("X", "SK") else w:add("SK") end  -- "schermerhorn"
  elseif i == 0 and not w:vowel(3) and w:at(3) ~= "W" then
    w:add("X", "S")
  else
    w:add("X")
  end
  return i + 3
end

rules.S = function(w, i)
  if w:is(i - 1, 3, "ISL", "YSL") then return i + 1 end  -- "island", "isle", "carlisle"
  if i == 0 and w:is(i, 5, "SUGAR") then
    w:add("X", "S")
    return i + 1
  end
  if w:is(i, 2, "SH") then
    if w:is(i + 1, 4, "HEIM", "HOEK", "HOLM", "HOLZ") then w:add("S") else w:add("X") end  -- Germanic
    return i + 2
  end
  if w:is(i, 3, "SIO", "SIA") or w:is(i, 4, "SIAN") then  -- Italian and Armenian
    if w.slavo_germanic then w:add("S") else w:add("S", "X") end
    return i + 3
  end
  -- "smith" matches "schmidt", "snider" matches "schneider"; Slavic -sz-
  if (i == 0 and w:is(i + 1, 1, "M", "N", "L", "W")) or w:is(i + 1, 1, "Z") then
    w:add("S", "X")
    return w:is(i + 1, 1, "Z") and i + 2 or i + 1
  end
  if w:is(i, 2, "SC") then
    if w:at(i + 2) == "H" then return sch_rule(w, i) end  -- Schlesinger's rule
    if w:is(i + 2, 1, "I", "E", "Y") then w:add("S") else w:add("SK") end
    return i + 3
  end
  if i == w.last and w:is(i - 2, 2, "AI", "OI") then  -- French: "resnais", "artois"
    w:add("", "S")
  else
    w:add("S")
  end
  return w:is(i + 1, 1, "S", "Z") and i + 2 or i + 1
end

rules.T = function(w, i)
  if w:is(i, 4, "TION") then
    w:add("X")
    return i + 3
  end
  if w:is(i, 3, "TIA", "TCH") then
    w:add("X")
    return i + 3
  end
  if w:is(i, 2, "TH") or w:is(i, 3, "TTH") then
    -- "thomas", "thames", or Germanic
    if w:is(i + 2, 2, "OM", "AM") or w:starts_germanic() then w:add("T") else w:add("0", "T") end
    return i + 2
  end
  w:add("T")
  return w:is(i + 1, 1, "T", "D") and i + 2 or i + 1
end

rules.V = simple("F")

rules.W = function(w, i)
  if w:is(i, 2, "WR") then
    w:add("R")
    return i + 2
  end
  if i == 0 and (w:vowel(i + 1) or w:is(i, 2, "WH")) then
    -- "Wasserman" matches "Vasserman"; "Uomo" matches "Womo"
    if w:vowel(i + 1) then w:add("A", "F") else w:add("A") end
  end
  -- "Arnow" matches "Arnoff"
  if (i == w.last and w:vowel(i - 1)) or w:is(i - 1, 5, "EWSKI", "EWSKY", "OWSKI", "OWSKY")
      or w:is(0, 3, "SCH") then
    w:add("", "F")
    return i + 1
  end
  if w:is(i, 4, "WICZ", "WITZ") then  -- Polish: "filipowicz"
    w:add("TS", "FX")
    return i + 4
  end
  return i + 1
end

rules.X = function(w, i)
  -- French, as in "breaux"
  if not (i == w.last and (w:is(i - 3, 3, "IAU", "EAU") or w:is(i - 2, 2, "AU", "OU"))) then
    w:add("KS")
  end
  return w:is(i + 1, 1, "C", "X") and i + 2 or i + 1
end

rules.Z = function(w, i)
  if w:at(i + 1) == "H" then  -- Chinese pinyin: "zhao"
    w:add("J")
    return i + 2
  end
  if w:is(i + 1, 2, "ZO", "ZI", "ZA") or (w.slavo_germanic and i > 0 and w:at(i - 1) ~= "T") then
    w:add("S", "TS")
  else
    w:add("S")
  end
  return w:at(i + 1) == "Z" and i + 2 or i + 1
end

local function skip(_, i) return i + 1 end

-- Double Metaphone codes of `s`: primary, alternate (equal when the word
-- has a single pronunciation). Codes are at most `max_length` characters
-- (default 4, as Philips defined them); "0" stands for "th". Returns "", ""
-- for text without letters.
function phonetic.double_metaphone(s, max_length)
  check_string(s, "double_metaphone")
  max_length = max_length or 4
  local w = new_word(s)
  local i = 0
  if w:is(0, 2, "GN", "KN", "PN", "WR", "PS") then i = 1 end  -- silent first letter
  if w:at(0) == "X" then  -- "Xavier"
    w:add("S")
    i = 1
  end
  while i < w.length and (#table.concat(w.primary) < max_length
      or #table.concat(w.secondary) < max_length) do
    i = (rules[w:at(i)] or skip)(w, i)
  end
  return table.concat(w.primary):sub(1, max_length), table.concat(w.secondary):sub(1, max_length)
end

return phonetic
