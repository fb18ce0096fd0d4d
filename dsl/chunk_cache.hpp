// Compiled Lua chunks, kept per state as bytecode so that each run (or
// webhook event call) gets fresh closures of its workflow file and modules
// without parsing them again. Only Weft compiles into this cache, from
// text; workflow code never loads bytecode.
#pragma once
#include <lua.hpp>

#include <string>
#include <string_view>

namespace weft::dsl {

// Pushes a new function of the chunk cached under `key`, compiling `source`
// (text only, named `chunkname`, e.g. "@flows/a.lua") first when the key is
// new, with its _ENV set to the table at `env`. Throws std::runtime_error
// with Lua's "file:line: message" on a syntax error.
void push_chunk(lua_State* L, const std::string& key, std::string_view source,
                const std::string& chunkname, int env);

// True when `key` was compiled into this state's cache.
bool chunk_cached(lua_State* L, const std::string& key);

}  // namespace weft::dsl
