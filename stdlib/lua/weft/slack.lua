-- weft.slack: builders for Slack Block Kit messages — header, section,
-- fields, context, divider, and the message around them — producing plain
-- tables ready for weft.json.encode or http.post{ json = ... }. Text is
-- escaped and cut to Slack's length limits. Pure functions: callable
-- anywhere, never yield.
local json = require "weft.json"

local slack = {}

-- Limits from Slack's Block Kit reference, in characters.
local HEADER_LIMIT = 150
local SECTION_TEXT_LIMIT = 3000
local FIELD_TEXT_LIMIT = 2000
local FIELDS_PER_SECTION = 10
local CONTEXT_TEXT_LIMIT = 3000
local BLOCKS_PER_MESSAGE = 50
local MESSAGE_TEXT_LIMIT = 40000
local ELLIPSIS = "…"

local ENTITIES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;" }
-- In a link's URL "|" would end the URL, so it is percent-encoded.
local URL_ESCAPES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ["|"] = "%7C" }

-- Escapes the three characters Slack gives a meaning in mrkdwn: & < >.
function slack.escape(text)
  return (tostring(text):gsub("[&<>]", ENTITIES))
end

-- A link in mrkdwn, "<url|label>", for text passed with { escape = false }.
function slack.link(url, label)
  local target = tostring(url):gsub("[&<>|]", URL_ESCAPES)
  if label == nil then return "<" .. target .. ">" end
  return "<" .. target .. "|" .. slack.escape(label) .. ">"
end

-- `text` (escaped when `escape_it`) cut to `limit` characters, ending with
-- "…" when cut. Counts characters after escaping and never splits an
-- entity or a UTF-8 sequence.
local function fit(text, limit, escape_it)
  text = tostring(text)
  if not utf8.len(text) then text = text:gsub("[\128-\255]", "?") end
  local pieces, length = {}, 0
  for _, code in utf8.codes(text) do
    local piece = utf8.char(code)
    if escape_it then piece = ENTITIES[piece] or piece end
    local piece_length = utf8.len(piece)
    if length + piece_length > limit then
      while length + 1 > limit do
        length = length - utf8.len(table.remove(pieces))
      end
      pieces[#pieces + 1] = ELLIPSIS
      break
    end
    pieces[#pieces + 1] = piece
    length = length + piece_length
  end
  return table.concat(pieces)
end

local function check_text(text, fname)
  if text == nil or type(text) == "table" or type(text) == "function" then
    error("bad argument #1 to '" .. fname .. "' (text expected, got " .. type(text) .. ")", 3)
  end
end

local function should_escape(options)
  return not (options and options.escape == false)
end

-- A header block (plain text, at most 150 characters).
function slack.header(text)
  check_text(text, "header")
  return { type = "header", text = { type = "plain_text", text = fit(text, HEADER_LIMIT, false), emoji = true } }
end

-- A section block with mrkdwn text. options.escape = false sends the text
-- as written (for links and formatting built with slack.escape/slack.link).
function slack.section(text, options)
  check_text(text, "section")
  return { type = "section",
           text = { type = "mrkdwn", text = fit(text, SECTION_TEXT_LIMIT, should_escape(options)) } }
end

local function field_text(pair, escape_it)
  local label, value = pair[1] or pair.label, pair[2]
  if value == nil then value = pair.value end
  if value == nil or value == json.null then return nil end
  local heading = label ~= nil and "*" .. fit(label, FIELD_TEXT_LIMIT // 2, escape_it) .. "*\n" or ""
  return heading .. fit(value, FIELD_TEXT_LIMIT - utf8.len(heading), escape_it)
end

-- Label/value pairs ({ "Owner", "Sam" } or { label = ..., value = ... }) as
-- mrkdwn fields, "*label*\nvalue", ten per section. Pairs without a value
-- are left out. Returns a list of section blocks (empty when no pair has a
-- value); slack.message flattens it. options.escape as for section.
function slack.fields(pairs_list, options)
  if type(pairs_list) ~= "table" then
    error("bad argument #1 to 'fields' (table expected, got " .. type(pairs_list) .. ")", 2)
  end
  local sections, current = {}, nil
  for _, pair in ipairs(pairs_list) do
    local text = field_text(pair, should_escape(options))
    if text then
      if not current or #current.fields == FIELDS_PER_SECTION then
        current = { type = "section", fields = {} }
        sections[#sections + 1] = current
      end
      current.fields[#current.fields + 1] = { type = "mrkdwn", text = text }
    end
  end
  return sections
end

-- A context block (small grey text, e.g. a footer) with one mrkdwn element.
function slack.context(text, options)
  check_text(text, "context")
  return { type = "context",
           elements = { { type = "mrkdwn", text = fit(text, CONTEXT_TEXT_LIMIT, should_escape(options)) } } }
end

function slack.divider()
  return { type = "divider" }
end

-- Blocks in order; a table without `type` is a list of blocks (such as the
-- result of slack.fields) and is spliced in.
local function flatten(blocks, out)
  for _, block in ipairs(blocks) do
    if block.type then out[#out + 1] = block else flatten(block, out) end
  end
  return out
end

-- A message: { text = fallback, blocks = {...} } plus any other field given
-- (channel, thread_ts, …), copied as is. The fallback text shows in
-- notifications and is required. Raises when there are more than 50 blocks.
function slack.message(spec)
  if type(spec) ~= "table" then
    error("bad argument #1 to 'message' (table expected, got " .. type(spec) .. ")", 2)
  end
  if spec.text == nil then error("bad argument #1 to 'message' (fallback 'text' is required)", 2) end
  local message = {}
  for key, value in pairs(spec) do message[key] = value end
  message.text = fit(spec.text, MESSAGE_TEXT_LIMIT, true)
  message.blocks = flatten(spec.blocks or {}, {})
  if #message.blocks > BLOCKS_PER_MESSAGE then
    error("bad argument #1 to 'message' (" .. #message.blocks .. " blocks, Slack allows 50)", 2)
  end
  if #message.blocks == 0 then message.blocks = nil end
  return message
end

return slack
