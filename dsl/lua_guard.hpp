// The one boundary between C++ and Lua errors in bindings.
// Debian's Lua is built as C: lua_error longjmps over C++ frames and skips
// their destructors. Bindings therefore run their body inside `guarded`,
// throw C++ exceptions to report problems, and let `guarded` raise the Lua
// error after every C++ object of the body is gone.
#pragma once
#include <lua.hpp>

#include <stdexcept>
#include <string>

namespace weft::dsl {

// Misuse by the caller: raised with Lua's own wording,
// "bad argument #N to 'fn' (message)".
struct ArgError : std::runtime_error {
  ArgError(int arg, const std::string& message) : std::runtime_error(message), arg(arg) {}
  int arg;
};

// An expected runtime failure: raised as a weft.error table
// { kind = ..., message = ..., retryable = ... }.
struct KindError : std::runtime_error {
  KindError(std::string kind, const std::string& message, bool retryable)
      : std::runtime_error(message), kind(std::move(kind)), retryable(retryable) {}
  std::string kind;
  bool retryable;
};

// Pushes a weft.error table (with the shared metatable of dsl/lua_error.cpp).
void push_error_object(lua_State* L, const std::string& kind, const std::string& message,
                       bool retryable);

// Runs `body(L)`. luaL_check* calls are fine before the body creates any
// C++ object; after that, report problems by throwing. No C++ object of
// this frame is alive while the body runs, so a longjmp out of it is safe.
template <class Body>
int guarded(lua_State* L, Body&& body) {
  int arg = 0;
  try {
    return body(L);
  } catch (const ArgError& e) {
    arg = e.arg;
    lua_pushstring(L, e.what());
  } catch (const KindError& e) {
    push_error_object(L, e.kind, e.what(), e.retryable);
  } catch (const std::exception& e) {
    lua_pushstring(L, e.what());
  } catch (...) {
    lua_pushstring(L, "unknown C++ exception");
  }
  // The exception objects are destroyed; raising is safe now.
  if (arg != 0) return luaL_argerror(L, arg, lua_tostring(L, -1));
  return lua_error(L);
}

}  // namespace weft::dsl
