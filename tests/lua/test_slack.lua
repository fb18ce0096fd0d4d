-- weft.slack: Block Kit builders, escaping, limits and JSON shape.
local t = require "testlib"
local slack = require "weft.slack"
local json = require "weft.json"

for _, case in ipairs {
  { "a & b", "a &amp; b" }, { "<script>", "&lt;script&gt;" }, { "plain", "plain" },
  { "&amp;", "&amp;amp;" }, { 42, "42" }, { "*bold* _it_", "*bold* _it_" },
} do
  t.eq(slack.escape(case[1]), case[2], "escape " .. tostring(case[1]))
end
t.eq(slack.link("https://crm.example/x?a=1&b=2", "Lead <42>"), "<https://crm.example/x?a=1&amp;b=2|Lead &lt;42&gt;>",
  "link escapes url and label")
t.eq(slack.link("https://x.example"), "<https://x.example>", "link without label")
t.eq(slack.link("https://x.example/?q=a|b", "x"), "<https://x.example/?q=a%7Cb|x>", "a | in the url cannot end it")

t.eq(slack.header("New lead: R&D"), { type = "header", text = { type = "plain_text", text = "New lead: R&D", emoji = true } },
  "header is plain text, not escaped")
t.eq(slack.section("Score > 80 & rising"),
  { type = "section", text = { type = "mrkdwn", text = "Score &gt; 80 &amp; rising" } }, "section escapes")
t.eq(slack.section("See " .. slack.link("https://x.example", "lead"), { escape = false }).text.text,
  "See <https://x.example|lead>", "section with escape = false")
t.eq(slack.context("via Weft <bot>"),
  { type = "context", elements = { { type = "mrkdwn", text = "via Weft &lt;bot&gt;" } } }, "context")
t.eq(slack.divider(), { type = "divider" }, "divider")

-- Length limits, counted in characters after escaping.
local long_header = slack.header(string.rep("é", 200)).text.text
t.eq({ utf8.len(long_header), long_header:sub(-3) }, { 150, "…" }, "header cut to 150 characters")
local cut = slack.section(string.rep("a", 2998) .. "&&").text.text
t.eq({ utf8.len(cut), cut:sub(-4) }, { 2999, "a" .. "…" }, "an entity is never split")
t.eq(utf8.len(slack.section(string.rep("x", 3000)).text.text), 3000, "exactly at the limit is kept")

t.eq(slack.fields({ { "Owner", "Sam & Co" }, { label = "Score", value = 87 }, { "Empty", nil }, { "Null", json.null },
  { "Flag", false } }), {
  { type = "section", fields = {
    { type = "mrkdwn", text = "*Owner*\nSam &amp; Co" },
    { type = "mrkdwn", text = "*Score*\n87" },
    { type = "mrkdwn", text = "*Flag*\nfalse" },
  } },
}, "fields: labels bold, values escaped, missing values left out")
local many = {}
for i = 1, 23 do many[i] = { "F" .. i, i } end
local sections = slack.fields(many)
t.eq({ #sections, #sections[1].fields, #sections[2].fields, #sections[3].fields }, { 3, 10, 10, 3 },
  "fields split ten per section")
t.eq(sections[3].fields[3].text, "*F23*\n23", "field order kept across sections")
t.eq(slack.fields({}), {}, "no pairs, no sections")
t.eq(slack.fields({ { "Link", slack.link("https://x.example", "open") } }, { escape = false })[1].fields[1].text,
  "*Link*\n<https://x.example|open>", "fields with escape = false")

local message = slack.message {
  text = "New lead: Jane <jane@example.com>",
  channel = "#leads",
  blocks = {
    slack.header("New lead"),
    slack.fields({ { "Name", "Jane" }, { "Company", "Acme" } }),
    slack.divider(),
    slack.context("Weft · lead_refinement"),
  },
}
t.eq(message, {
  text = "New lead: Jane &lt;jane@example.com&gt;",
  channel = "#leads",
  blocks = {
    { type = "header", text = { type = "plain_text", text = "New lead", emoji = true } },
    { type = "section", fields = { { type = "mrkdwn", text = "*Name*\nJane" }, { type = "mrkdwn", text = "*Company*\nAcme" } } },
    { type = "divider" },
    { type = "context", elements = { { type = "mrkdwn", text = "Weft · lead_refinement" } } },
  },
}, "message flattens field sections and copies other keys")
t.eq(json.decode(json.encode(message)).blocks[2].fields[2].text, "*Company*\nAcme", "message round-trips through JSON")
t.eq(slack.message { text = "only text" }, { text = "only text" }, "no blocks, no blocks key")

local too_many = {}
for i = 1, 51 do too_many[i] = slack.divider() end
t.err(function() slack.message { text = "x", blocks = too_many } end, "51 blocks, Slack allows 50", "block limit")
t.err(function() slack.message { blocks = {} } end, "fallback 'text' is required", "fallback required")
t.err(function() slack.section(nil) end, "bad argument #1 to 'section' (text expected, got nil)", "section needs text")
t.err(function() slack.header({}) end, "bad argument #1 to 'header' (text expected, got table)", "header needs text")
t.err(function() slack.fields("x") end, "bad argument #1 to 'fields' (table expected, got string)", "fields needs a table")
