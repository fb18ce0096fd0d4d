-- Tests of examples/token_refresh.lua: which tokens it refreshes, how a
-- rotated refresh token and the new expiry are stored, and what a revoked
-- refresh token leaves behind. The token endpoint is mocked.
-- Run them:  weft test examples/token_refresh_test.lua
local test = require "weft.test"

local TOKEN_URL = "https://login.example.com/oauth2/token"

-- A connection whose access token expires `in_seconds` from now (virtual clock).
local function connection(t, name, in_seconds, tenant)
  local meta = { token_url = TOKEN_URL, client_id = name .. "-client" }
  local now = t:now() // 1000
  t:secret("oauth." .. name .. ".access_token", "old-access-" .. name,
           { expires_at = now + in_seconds, meta = meta, tenant = tenant })
  t:secret("oauth." .. name .. ".refresh_token", "refresh-" .. name, { tenant = tenant })
  t:secret("oauth." .. name .. ".client_secret", "client-secret-" .. name, { tenant = tenant })
end

-- The form fields of a token request body.
local function form(body)
  local fields = {}
  for key, value in body:gmatch("([^&=]+)=([^&]*)") do fields[key] = value end
  return fields
end

test.case("tokens expiring within the hour are refreshed, the rotated refresh token stored", function(t)
  connection(t, "dynamics", 10 * 60)    -- expires in 10 minutes: due
  connection(t, "hubspot", 5 * 3600)    -- in 5 hours: left alone
  local endpoint = t:mock_http { method = "POST", url = TOKEN_URL,
    json = { access_token = "new-access", token_type = "Bearer", expires_in = 7200, refresh_token = "refresh-2" } }
  local run = t:start("token_refresh")
  test.eq(run:status(), "completed")
  test.eq(run:result(), { refreshed = { "dynamics" }, failed = {} })
  test.eq(endpoint:count(), 1)
  local fields = form(endpoint:calls()[1].body)
  test.eq(fields.grant_type, "refresh_token")
  test.eq(fields.refresh_token, "refresh-dynamics")
  test.ok(endpoint:calls()[1].headers.authorization:find("^Basic "), "client authenticated with HTTP Basic")

  -- A second run a minute later finds nothing due: the new expiry is two hours away.
  t:advance("1m")
  local again = t:start("token_refresh")
  test.eq(again:result(), { refreshed = {}, failed = {} })
  test.eq(endpoint:count(), 1)
end)

test.case("the stored secrets: new access token with its expiry, rotated refresh token", function(t)
  connection(t, "dynamics", 60)
  local endpoint = t:mock_http { method = "POST", url = TOKEN_URL,
    json = { access_token = "new-access", expires_in = 7200, refresh_token = "refresh-2" } }
  test.eq(t:start("token_refresh"):status(), "completed")
  -- The next refresh (the token is made to expire again) sends the rotated refresh token.
  t:advance("1h")
  t:advance("55m")
  test.eq(t:start("token_refresh"):result().refreshed, { "dynamics" })
  test.eq(endpoint:count(), 2)
  test.eq(form(endpoint:calls()[2].body).refresh_token, "refresh-2")
end)

test.case("a revoked refresh token is recorded as a failure and the others still refresh", function(t)
  connection(t, "dynamics", 60)
  connection(t, "salesforce", 60)
  t:mock_http { method = "POST", url = TOKEN_URL, status = 400, times = 1,
                json = { error = "invalid_grant", error_description = "token revoked" } }
  t:mock_http { method = "POST", url = TOKEN_URL, json = { access_token = "new-access", expires_in = 3600 } }
  local run = t:start("token_refresh")
  test.eq(run:status(), "completed")
  local result = run:result()
  test.eq(result.refreshed, { "salesforce" })
  test.eq(#result.failed, 1)
  test.eq(result.failed[1].name, "dynamics")
  test.eq(result.failed[1].kind, "reauth_required")
  test.eq(t:document("token_refresh_failures", "dynamics").kind, "reauth_required")
end)

test.case("a tenant's run refreshes that tenant's tokens only", function(t)
  connection(t, "dynamics", 60, "acme")
  connection(t, "dynamics", 60, "globex")
  local endpoint = t:mock_http { method = "POST", url = TOKEN_URL, json = { access_token = "new", expires_in = 3600 } }
  local run = t:start("token_refresh", {}, { tenant = "acme" })
  test.eq(run:result(), { refreshed = { "dynamics" }, failed = {} })
  test.eq(endpoint:count(), 1)
  test.eq(form(endpoint:calls()[1].body).refresh_token, "refresh-dynamics")
  -- globex's token still expires: its own run refreshes it.
  test.eq(t:start("token_refresh", {}, { tenant = "globex" }):result().refreshed, { "dynamics" })
  test.eq(endpoint:count(), 2)
end)
