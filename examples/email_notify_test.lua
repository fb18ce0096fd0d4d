-- Tests of examples/email_notify.lua: what the owner receives, and the
-- retries of a temporary SMTP refusal. Nothing leaves the process.
-- Run them:  weft test examples/email_notify_test.lua
local test = require "weft.test"

local lead = { owner = "Ada Lovelace <ada@weft.example>", name = "Zoë", company = "Acme" }

test.case("the owner gets one mail, the audit address a blind copy", function(t)
  local run = t:start("email_notify", lead)
  test.eq(run:status(), "completed")
  local mails = t:emails()
  test.eq(#mails, 1)
  local mail = mails[1]
  test.eq(mail.to, { "Ada Lovelace <ada@weft.example>" })
  test.eq(mail.subject, "Neuer Lead: Zoë")
  test.eq(mail.text, "Zoë (Acme) wants a demo.")
  test.eq(mail.recipients, { "ada@weft.example", "crm-audit@weft.example" })
  test.eq(mail.headers["X-Weft-Step"], run:record().id .. ":1")
  -- The message as sent: the subject encoded, no Bcc header.
  test.ok(mail.data:find("Subject: =?UTF-8?B?", 1, true), "an encoded subject")
  test.eq(mail.data:find("crm-audit", 1, true), nil, "no header names the bcc")
  test.eq(run:result(), { message_id = mail.message_id, recipients = 2 })
end)

test.case("a temporary refusal is retried a minute later, and the mail goes once", function(t)
  t:mock_email { error = { kind = "smtp_transient", message = "451 try later", retryable = true }, times = 1 }
  local run = t:start("email_notify", lead)
  test.eq(run:status(), "sleeping")
  test.eq(#t:emails(), 0)
  t:advance("1m")
  test.eq(run:status(), "completed")
  test.eq(#t:emails(), 1)
end)

test.case("a rejected address fails the run without retrying", function(t)
  t:mock_email { error = { kind = "smtp_rejected", message = "550 no such user", reply_code = 550 } }
  local run = t:start("email_notify", lead)
  test.eq(run:status(), "failed")
  test.eq(run:error().kind, "smtp_rejected")
  test.eq(#t:emails(), 0)
end)
