-- weft.text: normalisation of the text fields CRMs disagree on — trimming,
-- e-mail addresses (canonical form and validation) and phone numbers (E.164
-- with a default region). Pure functions: callable anywhere, never yield.
local text = {}

local function check_string(value, position, fname)
  if type(value) ~= "string" then
    error(string.format("bad argument #%d to '%s' (string expected, got %s)",
      position, fname, type(value)), 3)
  end
end

-- Removes leading and trailing ASCII whitespace.
function text.trim(s)
  check_string(s, 1, "trim")
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

------------------------------------------------------------------ e-mail

-- Mailbox providers known to ignore dots and "+tag" suffixes in the local part.
local DOT_AND_TAG_BLIND_DOMAINS = { ["gmail.com"] = true, ["googlemail.com"] = true }

-- Canonical form of an address, so that two spellings of one mailbox compare
-- equal: trimmed, all lower case (local parts are case-sensitive in theory,
-- never in practice), and for Gmail without dots and "+tag". The domain is
-- kept as written (googlemail.com stays googlemail.com). Returns nil, reason
-- when the text has no single "@" between a local part and a domain; it
-- does not validate further (see validate_email).
function text.normalize_email(s)
  check_string(s, 1, "normalize_email")
  local local_part, domain = text.trim(s):match("^([^@]+)@([^@]+)$")
  if not local_part then return nil, "not of the form local@domain" end
  local_part, domain = local_part:lower(), domain:lower()
  if DOT_AND_TAG_BLIND_DOMAINS[domain] then
    local_part = local_part:gsub("%+.*$", ""):gsub("%.", "")
    if local_part == "" then return nil, "local part is empty" end
  end
  return local_part .. "@" .. domain
end

local MAX_ADDRESS_LENGTH = 254   -- RFC 5321 path limit minus the angle brackets
local MAX_LOCAL_LENGTH = 64
local MAX_LABEL_LENGTH = 63

-- RFC 5322 "atext" plus the dot; bytes >= 0x80 admit UTF-8 (RFC 6531).
local LOCAL_PART_INVALID = "[^%w!#$%%&'*+/=?^_`{|}~%.%-\128-\255]"

local function check_local_part(local_part)
  if local_part == "" then return "local part is empty" end
  if #local_part > MAX_LOCAL_LENGTH then return "local part is longer than 64 characters" end
  local bad = local_part:match(LOCAL_PART_INVALID)
  if bad then return "invalid character '" .. bad .. "' in local part" end
  if local_part:find("^%.") or local_part:find("%.$") then
    return "local part starts or ends with a dot"
  end
  if local_part:find("..", 1, true) then return "local part has consecutive dots" end
end

local function check_domain_label(label)
  if label == "" then return "domain has an empty label" end
  if #label > MAX_LABEL_LENGTH then return "domain label longer than 63 characters" end
  if label:find("[^%w%-\128-\255]") then return "invalid character in domain label '" .. label .. "'" end
  if label:find("^%-") or label:find("%-$") then
    return "domain label '" .. label .. "' starts or ends with a hyphen"
  end
end

local function check_domain(domain)
  if domain == "" then return "domain is empty" end
  if not domain:find(".", 1, true) then return "domain has no dot" end
  local last_label
  for label in (domain .. "."):gmatch("([^.]*)%.") do
    local problem = check_domain_label(label)
    if problem then return problem end
    last_label = label
  end
  if last_label:find("^%d+$") then return "top-level domain is numeric" end
end

-- Practical RFC 5322 subset: dot-atom local part (no quoted strings, no
-- comments), a domain name of at least two labels (no IP literals), UTF-8
-- allowed in both. Returns true, or false and the reason.
function text.validate_email(s)
  check_string(s, 1, "validate_email")
  if #s > MAX_ADDRESS_LENGTH then return false, "address is longer than 254 characters" end
  if not utf8.len(s) then return false, "address is not valid UTF-8" end
  local at = s:find("@[^@]*$")
  if not at then return false, "missing @" end
  local problem = check_local_part(s:sub(1, at - 1)) or check_domain(s:sub(at + 1))
  if problem then return false, problem end
  return true
end

------------------------------------------------------------------ phones

-- Numbering plans by ISO 3166 region. national_lengths bounds the national
-- significant number (after the trunk prefix); pattern, when present, must
-- match it. Extend by adding entries, or pass such a table as the region.
text.phone_regions = {
  US = { country_code = "1", international_prefix = "011", trunk_prefix = "1",
         national_lengths = { 10, 10 }, pattern = "^[2-9]%d%d[2-9]%d%d%d%d%d%d$" },
  GB = { country_code = "44", international_prefix = "00", trunk_prefix = "0",
         national_lengths = { 9, 10 } },
  FR = { country_code = "33", international_prefix = "00", trunk_prefix = "0",
         national_lengths = { 9, 9 }, pattern = "^[1-9]" },
  DE = { country_code = "49", international_prefix = "00", trunk_prefix = "0",
         national_lengths = { 6, 13 } },
}
text.phone_regions.CA = text.phone_regions.US

local E164_MIN_DIGITS, E164_MAX_DIGITS = 8, 15

local function find_plan_by_country_code(digits)
  for _, plan in pairs(text.phone_regions) do
    if digits:sub(1, #plan.country_code) == plan.country_code then return plan end
  end
end

local function check_national_number(national, plan)
  local min, max = plan.national_lengths[1], plan.national_lengths[2]
  if #national < min or #national > max then
    return "national number of " .. #national .. " digits, expected " ..
      (min == max and tostring(min) or min .. " to " .. max)
  end
  if plan.pattern and not national:find(plan.pattern) then
    return "not a valid number for country code +" .. plan.country_code
  end
end

-- A national significant number never starts with the trunk prefix, so one
-- written in front of it (also by habit after a country code, as in
-- "+44 (0)20 …") is dropped.
local function without_trunk_prefix(national, plan)
  if plan.trunk_prefix and national:sub(1, #plan.trunk_prefix) == plan.trunk_prefix then
    return national:sub(#plan.trunk_prefix + 1)
  end
  return national
end

local function to_e164(national, plan)
  national = without_trunk_prefix(national, plan)
  local problem = check_national_number(national, plan)
  if problem then return nil, problem end
  return "+" .. plan.country_code .. national
end

-- Digits that start with a country code.
local function international_to_e164(digits)
  if #digits < E164_MIN_DIGITS or #digits > E164_MAX_DIGITS then
    return nil, "international number must have 8 to 15 digits"
  end
  local plan = find_plan_by_country_code(digits)
  if not plan then return "+" .. digits end
  return to_e164(digits:sub(#plan.country_code + 1), plan)
end

local function resolve_region(region)
  if type(region) == "table" or region == nil then return region end
  local plan = text.phone_regions[string.upper(tostring(region))]
  if not plan then
    error("bad argument #2 to 'normalize_phone' (unknown region '" .. tostring(region) ..
      "'; add it to weft.text.phone_regions or pass a plan table)", 3)
  end
  return plan
end

-- Separators people write inside phone numbers; the no-break space is a
-- two-byte sequence, so it is removed apart from the ASCII ones.
local PHONE_PUNCTUATION = "[%s%-%.%(%)/]"
local NO_BREAK_SPACE = "\194\160"

-- Phone number to E.164 ("+14155550123"). Accepts "+", the region's
-- international prefix (00, 011), or a national number with or without its
-- trunk prefix. `region` is a key of text.phone_regions ("US", "GB", …) or
-- a plan table; it may be nil when every number is international.
-- Returns the E.164 string, or nil and the reason.
function text.normalize_phone(s, region)
  if type(s) == "number" and math.type(s) == "integer" then s = tostring(s) end
  check_string(s, 1, "normalize_phone")
  local plan = resolve_region(region)
  local compact = s:gsub(NO_BREAK_SPACE, ""):gsub(PHONE_PUNCTUATION, "")
  local plus, digits = compact:match("^(%+?)(%d+)$")
  if compact == "" then return nil, "no digits" end
  if not digits then
    local position = compact:find("[^%d+]")
    local character = position and compact:match(utf8.charpattern, position) or "+"
    return nil, "unexpected character '" .. character .. "'"
  end
  if plus == "+" then return international_to_e164(digits) end
  if not plan then return nil, "national number and no default region" end
  local idd = plan.international_prefix
  if idd and digits:sub(1, #idd) == idd then return international_to_e164(digits:sub(#idd + 1)) end
  return to_e164(digits, plan)
end

return text
