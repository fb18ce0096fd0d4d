-- weft.text: trim, e-mail normalisation and validation, phone numbers to E.164.
local t = require "testlib"
local text = require "weft.text"

for _, case in ipairs {
  { "  hello  ", "hello" },
  { "\t\nhello world\r\n", "hello world" },
  { "", "" },
  { "   ", "" },
  { "no-space", "no-space" },
} do
  t.eq(text.trim(case[1]), case[2], "trim " .. t.describe(case[1]))
end
t.err(function() text.trim(nil) end, "bad argument #1 to 'trim' (string expected, got nil)",
  "trim refuses nil")

for _, case in ipairs {
  { "  Jane.Doe@Example.COM ", "jane.doe@example.com" },
  { "John.Smith+crm@Gmail.com", "johnsmith@gmail.com" },
  { "j.o.h.n+a+b@googlemail.com", "john@googlemail.com" },
  { "first.last+tag@example.org", "first.last+tag@example.org" },
  { "ÉLodie@Exemple.fr", "Élodie@exemple.fr" },  -- string.lower leaves non-ASCII alone
} do
  t.eq(text.normalize_email(case[1]), case[2], "normalize_email " .. case[1])
end
for _, case in ipairs {
  { "no-at-sign", "not of the form local@domain" },
  { "a@b@c", "not of the form local@domain" },
  { "@example.com", "not of the form local@domain" },
  { "+tag@gmail.com", "local part is empty" },
} do
  local value, reason = text.normalize_email(case[1])
  t.eq({ value, reason }, { nil, case[2] }, "normalize_email rejects " .. case[1])
end

for _, address in ipairs {
  "jane@example.com", "jane.doe@mail.example.co.uk", "o'brien@example.ie",
  "user+tag@example.com", "a!#$%&'*+/=?^_`{|}~-@example.com", "x@xn--bcher-kva.de",
  "josé@correo.es", "用户@例子.广告", "a@b-c.io",
  string.rep("a", 64) .. "@example.com",
} do
  local ok, reason = text.validate_email(address)
  t.eq({ ok, reason }, { true }, "valid: " .. address)
end
for _, case in ipairs {
  { "", "missing @" },
  { "plainaddress", "missing @" },
  { "@example.com", "local part is empty" },
  { "jane@", "domain is empty" },
  { "jane@localhost", "domain has no dot" },
  { ".jane@example.com", "local part starts or ends with a dot" },
  { "jane.@example.com", "local part starts or ends with a dot" },
  { "ja..ne@example.com", "local part has consecutive dots" },
  { "ja ne@example.com", "invalid character ' ' in local part" },
  { "a@b@example.com", "invalid character '@' in local part" },
  { "jane@exa mple.com", "invalid character in domain label 'exa mple'" },
  { "jane@example..com", "domain has an empty label" },
  { "jane@-example.com", "domain label '-example' starts or ends with a hyphen" },
  { "jane@example.com.", "domain has an empty label" },
  { "jane@1.2.3.4", "top-level domain is numeric" },
  { "jane@[1.2.3.4]", "invalid character in domain label '[1'" },
  { string.rep("a", 65) .. "@example.com", "local part is longer than 64 characters" },
  { "a@" .. string.rep("b", 64) .. ".com", "domain label longer than 63 characters" },
  { "a@" .. string.rep("abcdefghi.", 25) .. "com", "address is longer than 254 characters" },
  { "jane\255@example.com", "address is not valid UTF-8" },
} do
  local ok, reason = text.validate_email(case[1])
  t.eq({ ok, reason }, { false, case[2] }, "invalid: " .. case[1])
end

for _, case in ipairs {
  { "(415) 555-0123", "US", "+14155550123" },
  { "1-415-555-0123", "US", "+14155550123" },
  { "415.555.0123", "ca", "+14155550123" },
  { "+1 415 555 0123", nil, "+14155550123" },
  { "011 44 20 7946 0958", "US", "+442079460958" },
  { "020 7946 0958", "GB", "+442079460958" },
  { "+44 (0)20 7946 0958", "US", "+442079460958" },
  { "0044 20 7946 0958", "FR", "+442079460958" },
  { "07700 900123", "GB", "+447700900123" },
  { "06 12 34 56 78", "FR", "+33612345678" },
  { "06\194\16012\194\16034 56 78", "FR", "+33612345678" },
  { "+33 6 12 34 56 78", "GB", "+33612345678" },
  { "030 1234567", "DE", "+49301234567" },
  { "+49 (0)89 123456", "DE", "+4989123456" },
  { "+39 06 6982 1234", "US", "+390669821234" },  -- unknown country code: kept as written
  { 4155550123, "US", "+14155550123" },
  { "0612345678", { country_code = "33", trunk_prefix = "0", national_lengths = { 9, 9 } },
    "+33612345678" },
} do
  local label = "normalize_phone " .. tostring(case[1]) .. " in " .. t.describe(case[2])
  t.eq(text.normalize_phone(case[1], case[2]), case[3], label)
end
for _, case in ipairs {
  { "", "US", "no digits" },
  { " - ", "US", "no digits" },
  { "415-555-0123 x12", "US", "unexpected character 'x'" },
  { "415+555", "US", "unexpected character '+'" },
  { "06 12 34 56 7à", "FR", "unexpected character 'à'" },
  { "555-0123", "US", "national number of 7 digits, expected 10" },
  { "(015) 555-0123", "US", "not a valid number for country code +1" },
  { "415 055 0123", "US", "not a valid number for country code +1" },
  { "+1 415 555 01234", nil, "national number of 11 digits, expected 10" },
  { "+123", nil, "international number must have 8 to 15 digits" },
  { "+1234567890123456", nil, "international number must have 8 to 15 digits" },
  { "0612345678", nil, "national number and no default region" },
  { "06 12 34 56", "FR", "national number of 7 digits, expected 9" },
  { "020 7946", "GB", "national number of 6 digits, expected 9 to 10" },
} do
  local value, reason = text.normalize_phone(case[1], case[2])
  t.eq({ value, reason }, { nil, case[3] }, "normalize_phone rejects " .. case[1])
end
t.err(function() text.normalize_phone("123", "ZZ") end, "unknown region 'ZZ'", "unknown region")
t.err(function() text.normalize_phone({}, "US") end, "string expected, got table", "phone not a string")
