-- email_notify: tell the account owner about a new lead by email, in a
-- step, with retries for the SMTP server's temporary refusals (4xx).
-- The server is `[email]` in weft.toml (docs/stdlib/email.md); under
-- `weft test` nothing is sent and the test reads what would have been.
-- Run its tests:  weft test examples/email_notify_test.lua
local weft  = require "weft"
local email = require "weft.email"

return weft.workflow {
  name = "email_notify",
  -- smtp_transient (4xx) is retryable; smtp_rejected (5xx) fails at once.
  retry = { attempts = 4, initial = "1m", backoff = 2.0, max = "15m" },
  run = function(ctx, lead)
    local sent = ctx:step("notify_owner", function()
      return email.send {
        from     = "Weft <noreply@weft.example>",
        to       = lead.owner,
        bcc      = "crm-audit@weft.example",      -- gets a copy, named in no header
        subject  = "Neuer Lead: " .. lead.name,   -- UTF-8 is fine anywhere
        text     = lead.name .. " (" .. lead.company .. ") wants a demo.",
        html     = "<p><b>" .. lead.name .. "</b> (" .. lead.company .. ") wants a demo.</p>",
        -- Steps are at-least-once: the step key lets a receiver spot a resend.
        headers  = { ["X-Weft-Step"] = ctx.step_key },
      }
    end)
    return { message_id = sent.message_id, recipients = #sent.accepted }
  end,
}
