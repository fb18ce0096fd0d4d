-- weft.oauth2: the OAuth 2.0 refresh-token grant (RFC 6749 section 6),
-- with client authentication by HTTP Basic (section 2.3.1) or in the
-- request body, and token-endpoint errors mapped per section 5.2 to
-- weft.error kinds that retry policies understand. Runs inside steps
-- (it uses weft.http).
local weft = require "weft"
local http = require "weft.http"
local crypto = require "weft.crypto"

local oauth2 = {}

-- application/x-www-form-urlencoded, as RFC 6749 Appendix B asks for
-- client credentials sent with HTTP Basic.
local function form_encode(text)
  return (text:gsub("[^%w%-%._~ ]", function(c) return string.format("%%%02X", c:byte()) end)
              :gsub(" ", "+"))
end

-- Section 5.2 error codes: which kind they become and whether a retry can help.
local error_kinds = {
  invalid_grant = { kind = "reauth_required", retryable = false },
  invalid_client = { kind = "auth_failed", retryable = false },
  unauthorized_client = { kind = "auth_failed", retryable = false },
  invalid_request = { kind = "oauth_error", retryable = false },
  unsupported_grant_type = { kind = "oauth_error", retryable = false },
  invalid_scope = { kind = "oauth_error", retryable = false },
  temporarily_unavailable = { kind = "oauth_error", retryable = true },
  server_error = { kind = "oauth_error", retryable = true },
}

local function require_string(opts, field)
  if type(opts[field]) ~= "string" or opts[field] == "" then
    error("bad argument #1 to 'refresh' (field '" .. field .. "' (string) expected)", 3)
  end
end

local function token_error(res)
  local ok, body = pcall(res.json, res)
  local code = ok and type(body) == "table" and body.error or nil
  local mapped = error_kinds[code]
  local description = ok and type(body) == "table" and body.error_description or nil
  local message = "token endpoint answered " .. res.status .. (code and (": " .. code) or "")
                  .. (description and (" (" .. description .. ")") or "")
  if mapped then
    return weft.error { kind = mapped.kind, message = message, retryable = mapped.retryable,
                        oauth_error = code, status = res.status }
  end
  local retryable = res.status == 408 or res.status == 429 or res.status >= 500
  local retry_after = tonumber(res.headers["retry-after"])
  return weft.error { kind = "http", message = message, retryable = retryable,
                      status = res.status, retry_after = retry_after }
end

-- oauth2.refresh{ token_url, client_id, client_secret, refresh_token,
--                 scope = nil, auth = "basic" | "body", timeout = "30s" }
-- -> { access_token, token_type, expires_in, expires_at, refresh_token, scope }
function oauth2.refresh(opts)
  if type(opts) ~= "table" then error("bad argument #1 to 'refresh' (table expected)", 2) end
  for _, field in ipairs({ "token_url", "client_id", "client_secret", "refresh_token" }) do
    require_string(opts, field)
  end
  local auth = opts.auth or "basic"
  if auth ~= "basic" and auth ~= "body" then
    error("bad argument #1 to 'refresh' (auth must be \"basic\" or \"body\")", 2)
  end
  local form = { grant_type = "refresh_token", refresh_token = opts.refresh_token, scope = opts.scope }
  local headers = { Accept = "application/json" }
  if auth == "basic" then
    local credentials = form_encode(opts.client_id) .. ":" .. form_encode(opts.client_secret)
    headers.Authorization = "Basic " .. crypto.base64_encode(credentials)
  else
    form.client_id = opts.client_id
    form.client_secret = opts.client_secret
  end
  local res = http.post(opts.token_url, { form = form, headers = headers, timeout = opts.timeout or "30s" })
  if res.status ~= 200 then error(token_error(res)) end
  local ok, body = pcall(res.json, res)
  if not ok or type(body) ~= "table" or type(body.access_token) ~= "string" then
    error(weft.error { kind = "oauth_error", message = "token response without access_token", retryable = false })
  end
  local expires_in = tonumber(body.expires_in)
  return {
    access_token = body.access_token,
    token_type = body.token_type or "Bearer",
    expires_in = expires_in,
    expires_at = expires_in and (os.time() + expires_in) or nil,
    -- A server may rotate the refresh token; if it does not, the old one stays valid.
    refresh_token = body.refresh_token or opts.refresh_token,
    scope = body.scope or opts.scope,
  }
end

-- Whether a token from refresh() expires within `skew` seconds (default 60).
function oauth2.expires_soon(token, now, skew)
  if type(token) ~= "table" or token.expires_at == nil then return false end
  return token.expires_at - (skew or 60) <= now
end

return oauth2
