// The webhook trigger of `on`: weft.webhook { path, verify, event, dedup,
// limit } and the verify descriptors weft.verify.<preset>(secret_name) or
// weft.verify.<preset> { secret = "name", header = ..., ... }. Both are
// checked when the file loads; the descriptors are plain tables
// { preset = "github", secret = "github.webhook", ... }.
#pragma once
#include <lua.hpp>

#include "engine/webhook_spec.hpp"

namespace weft::dsl {

// weft.webhook { ... }: returns the trigger table { trigger = "webhook", ... }.
int lua_webhook_trigger(lua_State* L);

// Pushes the weft.verify table: one function per preset.
void push_verify_table(lua_State* L);

// Reads a trigger table made by weft.webhook (at `index`); throws
// std::runtime_error naming the field at fault.
engine::WebhookSpec read_webhook_trigger(lua_State* L, int index);

}  // namespace weft::dsl
