// Checking the names of durable calls (see ctx_names.hpp).
#include "dsl/ctx_names.hpp"

#include "dsl/lua_guard.hpp"
#include "engine/utf8.hpp"

namespace weft::dsl {

std::string name_arg(lua_State* L, int arg, const char* what) {
  if (lua_type(L, arg) != LUA_TSTRING) throw ArgError(arg, std::string(what) + " (string) expected");
  size_t len = 0;
  const char* text = lua_tolstring(L, arg, &len);
  std::string name(text, len);
  size_t bad = engine::invalid_utf8_at(name);
  if (bad != std::string::npos)
    throw ArgError(arg, std::string(what) + " is not valid UTF-8: " + engine::describe_invalid_utf8(name, bad));
  if (name.find('\0') != std::string::npos)
    throw ArgError(arg, std::string(what) + " contains a NUL byte");
  return name;
}

}  // namespace weft::dsl
