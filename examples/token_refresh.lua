-- token_refresh: every 15 minutes, finds the OAuth access tokens that
-- expire within the hour (secrets.list: names, expiry and meta, never
-- values) and refreshes each with oauth2.refresh, storing the new access
-- token with its expiry and, when the provider rotated it, the new refresh
-- token (secrets.put). A connection that fails is recorded in weft.store
-- ("token_refresh_failures") and reported; the others still refresh.
--
-- Per connection NAME, in the namespace of the run's tenant (set them with
-- `weft secrets set oauth.NAME.refresh_token --tenant acme ...`):
--   oauth.NAME.access_token   its meta says where to refresh it:
--                             { token_url = "...", client_id = "..." }
--   oauth.NAME.refresh_token
--   oauth.NAME.client_secret
-- Run its tests:  weft test examples/token_refresh_test.lua
local weft = require "weft"
local oauth2 = require "weft.oauth2"
local secrets = require "weft.secrets"
local store = require "weft.store"

local HOUR = 3600

return weft.workflow {
  name = "token_refresh",
  on = { weft.cron "*/15 * * * *" },
  secrets = { "oauth.*" },
  run = function(ctx)
    -- The run's recorded time (the virtual clock under `weft test`).
    local now = math.floor(ctx:now())
    local due = ctx:step("find_expiring", function()
      local found = {}
      for _, s in ipairs(secrets.list("oauth.")) do
        local name = s.name:match("^oauth%.(.+)%.access_token$")
        if name and s.expires_at and s.expires_at < now + HOUR then
          found[#found + 1] = { name = name, token_url = s.meta.token_url, client_id = s.meta.client_id }
        end
      end
      return found
    end)

    local refreshed, failed = {}, {}
    for _, connection in ipairs(due) do
      local prefix = "oauth." .. connection.name
      -- Errors a retry cannot fix (a revoked refresh token: someone must
      -- reconnect) fail at once; a 503 from the provider is retried.
      local ok, err = pcall(ctx.step, ctx, "refresh " .. connection.name, {
        retry = { attempts = 3, initial = "30s", non_retryable = { "reauth_required", "auth_failed" } },
      }, function()
        local token = oauth2.refresh {
          token_url = connection.token_url,
          client_id = connection.client_id,
          client_secret = secrets.get(prefix .. ".client_secret"),
          refresh_token = secrets.get(prefix .. ".refresh_token"),
        }
        local meta = { token_url = connection.token_url, client_id = connection.client_id }
        -- Counted from the run's start: a little early after a retry, never late.
        secrets.put(prefix .. ".access_token", token.access_token,
                    { expires_at = now + (token.expires_in or HOUR), meta = meta })
        -- Rotation: the provider sent a new refresh token, the old one may stop working.
        if token.rotated then secrets.put(prefix .. ".refresh_token", token.refresh_token, { meta = meta }) end
        return { rotated = token.rotated }
      end)
      if ok then
        refreshed[#refreshed + 1] = connection.name
      else
        failed[#failed + 1] = { name = connection.name, kind = err.kind, message = err.message }
        ctx:step("record failure " .. connection.name, function()
          store.put("token_refresh_failures", connection.name,
                    { kind = err.kind, message = err.message, at = now })
        end)
      end
    end
    return { refreshed = refreshed, failed = failed }
  end,
}
