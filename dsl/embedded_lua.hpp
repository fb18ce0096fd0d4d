// Lua modules compiled into the binary (dsl/lua and stdlib/lua), so that
// `require "weft.saga"` works wherever `weft` runs. The table is generated
// by cmake/embed_lua.cmake.
#pragma once
#include <string_view>
#include <vector>

namespace weft::dsl {

struct EmbeddedModule {
  std::string_view name;       // module name as given to require
  std::string_view chunkname;  // "@weft/saga.lua", for error positions
  std::string_view source;
};

const std::vector<EmbeddedModule>& embedded_modules();

}  // namespace weft::dsl
