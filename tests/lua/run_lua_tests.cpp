// Runs Lua test files of the stdlib helpers, each in a fresh sandboxed
// state. testlib.lua (next to each test file) is loaded first and made
// available as `require "testlib"`; it records failures with the file:line
// of the assertion, found by the `where` function given to it here because
// the sandbox has no debug library. Prints one line per failure, then
// "N passed, N failed", and exits non-zero when anything failed.
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "dsl/lua_state.hpp"
#include "stdlib/native_modules.hpp"

namespace {

struct Tally {
  long passed = 0;
  long failed = 0;
};

bool is_testlib_frame(const lua_Debug& frame) {
  std::string_view source(frame.short_src);
  return source.ends_with("testlib.lua");
}

// where(): "file:line" of the innermost Lua frame outside testlib.lua.
int where(lua_State* L) {
  lua_Debug frame;
  for (int level = 1; lua_getstack(L, level, &frame); ++level) {
    lua_getinfo(L, "Sl", &frame);
    if (frame.currentline > 0 && !is_testlib_frame(frame)) {
      lua_pushfstring(L, "%s:%d", frame.short_src, frame.currentline);
      return 1;
    }
  }
  lua_pushliteral(L, "?");
  return 1;
}

// Loads and runs `path` with `args` already on the stack; leaves its
// results (or the error message, which carries file:line) on the stack. Returns true on success.
bool run_chunk(lua_State* L, const std::string& path, int nargs, int nresults) {
  if (luaL_loadfilex(L, path.c_str(), "t") != LUA_OK) {
    lua_insert(L, -(nargs + 1));
    lua_pop(L, nargs);
    return false;
  }
  lua_insert(L, -(nargs + 1));
  return lua_pcall(L, nargs, nresults, 0) == LUA_OK;
}

// Runs testlib.lua with `where` and registers its table in package.loaded.
bool install_testlib(lua_State* L, const std::string& testlib_path) {
  lua_pushcfunction(L, where);
  if (!run_chunk(L, testlib_path, 1, 1)) return false;
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "testlib");
  lua_pop(L, 2);
  return true;  // the testlib table stays on the stack
}

// Adds testlib's counters to `tally` and prints its failure lines.
void collect_results(lua_State* L, int testlib_index, Tally& tally) {
  lua_getfield(L, testlib_index, "passed");
  tally.passed += lua_tointeger(L, -1);
  lua_getfield(L, testlib_index, "failures");
  lua_Integer count = luaL_len(L, -1);
  for (lua_Integer i = 1; i <= count; ++i) {
    lua_geti(L, -1, i);
    std::printf("FAIL %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  tally.failed += count;
  lua_pop(L, 2);
}

void run_test_file(const std::string& path, Tally& tally) {
  weft::dsl::LuaState state({});
  lua_State* L = state.get();
  std::string testlib_path = (std::filesystem::path(path).parent_path() / "testlib.lua").string();
  if (!install_testlib(L, testlib_path)) {
    std::printf("FAIL %s: cannot load testlib: %s\n", path.c_str(), lua_tostring(L, -1));
    ++tally.failed;
    return;
  }
  int testlib_index = lua_gettop(L);
  if (!run_chunk(L, path, 0, 0)) {
    std::printf("FAIL %s: error: %s\n", path.c_str(), lua_tostring(L, -1));
    ++tally.failed;
    lua_pop(L, 1);
  }
  collect_results(L, testlib_index, tally);
}

}  // namespace

int main(int argc, char** argv) {
  weft::stdlib::register_native_modules();
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s TEST.lua...\n", argv[0]);
    return 2;
  }
  Tally tally;
  for (int i = 1; i < argc; ++i) run_test_file(argv[i], tally);
  std::printf("%ld passed, %ld failed\n", tally.passed, tally.failed);
  return tally.failed == 0 ? 0 : 1;
}
