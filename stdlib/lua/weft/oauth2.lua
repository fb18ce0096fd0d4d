-- weft.oauth2: the OAuth 2.0 grants a CRM integration needs at its token
-- endpoint (RFC 6749): refresh token (section 6), client credentials
-- (4.4, Azure AD / Dynamics 365 style with a scope) and the authorization
-- code exchange (4.1.3, PKCE per RFC 7636 optional); client authentication
-- by HTTP Basic (2.3.1) or in the request body; token-endpoint errors
-- mapped per 5.2 to weft.error kinds that retry policies understand; and
-- oauth2.save, which stores a token (a rotated refresh token included)
-- with weft.secrets. Runs inside steps (it uses weft.http).
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

local function require_string(opts, field, fname)
  if type(opts[field]) ~= "string" or opts[field] == "" then
    error("bad argument #1 to '" .. fname .. "' (field '" .. field .. "' (string) expected)", 3)
  end
end

local function check_options(opts, fname)
  if type(opts) ~= "table" then error("bad argument #1 to '" .. fname .. "' (table expected)", 3) end
end

local function optional_string(opts, field, fname)
  if opts[field] ~= nil and type(opts[field]) ~= "string" then
    error("bad argument #1 to '" .. fname .. "' (field '" .. field .. "' must be a string)", 3)
  end
end

local function token_error(res)
  local ok, body = pcall(res.json, res)
  local code = ok and type(body) == "table" and body.error or nil
  local mapped = error_kinds[code]
  local description = ok and type(body) == "table" and body.error_description or nil
  local message = "token endpoint answered " .. res.status .. (code and (": " .. tostring(code)) or "")
                  .. (description and (" (" .. tostring(description) .. ")") or "")
  if mapped then
    return weft.error { kind = mapped.kind, message = message, retryable = mapped.retryable,
                        oauth_error = code, status = res.status }
  end
  local retryable = res.status == 408 or res.status == 429 or res.status >= 500
  local retry_after = tonumber(res.headers["retry-after"])
  return weft.error { kind = "http", message = message, retryable = retryable,
                      status = res.status, retry_after = retry_after }
end

-- One request to the token endpoint, shared by every grant: checks the
-- common options, authenticates the client (opts.auth), posts `form` and
-- returns the successful response's JSON body; raises a weft.error mapped
-- per section 5.2 otherwise.
local function token_request(opts, fname, required, form)
  for _, field in ipairs({ "token_url", "client_id", "client_secret" }) do require_string(opts, field, fname) end
  for _, field in ipairs(required) do require_string(opts, field, fname) end
  optional_string(opts, "scope", fname)
  local auth = opts.auth or "basic"
  if auth ~= "basic" and auth ~= "body" then
    error("bad argument #1 to '" .. fname .. "' (auth must be \"basic\" or \"body\")", 3)
  end
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
  return body
end

-- The token every grant returns; refresh_token is nil when none was issued.
local function token_from(body, opts)
  local expires_in = tonumber(body.expires_in)
  return {
    access_token = body.access_token,
    token_type = body.token_type or "Bearer",
    expires_in = expires_in,
    expires_at = expires_in and (os.time() + math.floor(expires_in)) or nil,
    refresh_token = type(body.refresh_token) == "string" and body.refresh_token or nil,
    scope = body.scope or opts.scope,
  }
end

-- oauth2.refresh{ token_url, client_id, client_secret, refresh_token,
--                 scope = nil, auth = "basic" | "body", timeout = "30s" }
-- -> { access_token, token_type, expires_in, expires_at, refresh_token, rotated, scope }
function oauth2.refresh(opts)
  check_options(opts, "refresh")
  local body = token_request(opts, "refresh", { "refresh_token" },
                             { grant_type = "refresh_token", refresh_token = opts.refresh_token, scope = opts.scope })
  local token = token_from(body, opts)
  -- A server may rotate the refresh token (then the old one may stop
  -- working: store the new one); if it does not, the old one stays valid.
  token.rotated = token.refresh_token ~= nil and token.refresh_token ~= opts.refresh_token
  token.refresh_token = token.refresh_token or opts.refresh_token
  return token
end

-- oauth2.client_credentials{ token_url, client_id, client_secret, scope,
--                            auth = "basic" | "body", timeout = "30s" }
-- -> { access_token, token_type, expires_in, expires_at, scope }
-- Azure AD / Dynamics 365: token_url = "https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token",
-- scope = "https://org.crm.dynamics.com/.default".
function oauth2.client_credentials(opts)
  check_options(opts, "client_credentials")
  local body = token_request(opts, "client_credentials", {},
                             { grant_type = "client_credentials", scope = opts.scope })
  return token_from(body, opts)
end

-- oauth2.exchange_code{ token_url, client_id, client_secret, code, redirect_uri,
--                       code_verifier = nil, auth = "basic" | "body", timeout = "30s" }
-- -> { access_token, token_type, expires_in, expires_at, refresh_token, scope }
function oauth2.exchange_code(opts)
  check_options(opts, "exchange_code")
  optional_string(opts, "code_verifier", "exchange_code")
  local body = token_request(opts, "exchange_code", { "code", "redirect_uri" }, {
    grant_type = "authorization_code", code = opts.code, redirect_uri = opts.redirect_uri,
    code_verifier = opts.code_verifier,
  })
  return token_from(body, opts)
end

-- oauth2.save(prefix, token [, meta]): stores a token with weft.secrets:
-- "<prefix>.access_token" with its expires_at (and meta, plus token_type
-- and scope), and "<prefix>.refresh_token" when the token carries one that
-- is new (a rotation, or the first from exchange_code). The workflow must
-- declare both names (e.g. secrets = { "<prefix>.*" }).
function oauth2.save(prefix, token, meta)
  if type(prefix) ~= "string" or prefix == "" then error("bad argument #1 to 'save' (string expected)", 2) end
  if type(token) ~= "table" or type(token.access_token) ~= "string" then
    error("bad argument #2 to 'save' (token table expected)", 2)
  end
  local secrets = require "weft.secrets"
  local fields = { token_type = token.token_type, scope = token.scope }
  for k, v in pairs(meta or {}) do fields[k] = v end
  secrets.put(prefix .. ".access_token", token.access_token, { expires_at = token.expires_at, meta = fields })
  if token.refresh_token ~= nil and token.rotated ~= false then
    secrets.put(prefix .. ".refresh_token", token.refresh_token, { meta = fields })
  end
end

-- Whether a token from refresh() expires within `skew` seconds (default 60).
function oauth2.expires_soon(token, now, skew)
  if type(token) ~= "table" or token.expires_at == nil then return false end
  return token.expires_at - (skew or 60) <= now
end

return oauth2
