// Finding and running weft test's files (see test_runner.hpp).
#include "api/test_runner.hpp"

#include <lua.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "api/lua_compare.hpp"
#include "api/test_lua.hpp"
#include "dsl/lua_json.hpp"
#include "dsl/lua_workflow_catalog.hpp"

namespace weft::api {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kDeadlineKey = "weft.test.deadline";

// The message of a failed test: the error as text (a weft.error by its
// kind and message).
int message_handler(lua_State* L) {
  if (lua_type(L, 1) == LUA_TSTRING) return 1;
  if (lua_istable(L, 1) && lua_getfield(L, 1, "message") == LUA_TSTRING) {
    lua_getfield(L, 1, "kind");
    lua_pushfstring(L, "%s: %s", lua_isstring(L, -1) ? lua_tostring(L, -1) : "error", lua_tostring(L, -2));
    return 1;
  }
  std::string text = render_lua_value(L, 1);
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

void deadline_hook(lua_State* L, lua_Debug*) {
  lua_getfield(L, LUA_REGISTRYINDEX, kDeadlineKey);
  auto deadline = static_cast<lua_Integer>(lua_tointeger(L, -1));
  lua_pop(L, 1);
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
  if (deadline != 0 && now > deadline)
    luaL_error(L, "the test ran its own code for over %d s (a loop?)", kTestTimeLimitSeconds);
}

void set_deadline(lua_State* L) {
  auto deadline = std::chrono::duration_cast<std::chrono::milliseconds>(
      (Clock::now() + std::chrono::seconds(kTestTimeLimitSeconds)).time_since_epoch());
  lua_pushinteger(L, deadline.count());
  lua_setfield(L, LUA_REGISTRYINDEX, kDeadlineKey);
}

struct LuaCloser {
  void operator()(lua_State* L) const { lua_close(L); }
};

// The state a test file runs in: the standard libraries (a test file is
// the user's own code, like a build script), weft.test, and `require`
// finding modules beside the file.
std::unique_ptr<lua_State, LuaCloser> test_state(const fs::path& folder, TestFile& file) {
  std::unique_ptr<lua_State, LuaCloser> state(luaL_newstate());
  if (!state) throw std::runtime_error("out of memory");
  lua_State* L = state.get();
  luaL_openlibs(L);
  dsl::install_json_markers(L);
  install_test_module(L, file);
  lua_getglobal(L, "package");
  std::string path = (folder / "?.lua").string() + ";" + (folder / "?" / "init.lua").string() + ";";
  lua_getfield(L, -1, "path");
  lua_pushfstring(L, "%s%s", path.c_str(), lua_tostring(L, -1));
  lua_setfield(L, -3, "path");
  lua_pop(L, 2);
  lua_sethook(L, deadline_hook, LUA_MASKCOUNT, 100'000);
  return state;
}

double seconds_since(Clock::time_point started) {
  return std::chrono::duration<double>(Clock::now() - started).count();
}

}  // namespace

std::vector<std::string> find_test_files(const std::vector<std::string>& paths) {
  std::vector<std::string> found;
  for (const auto& path : paths) {
    std::error_code ec;
    if (fs::is_regular_file(path, ec)) {
      found.push_back(path);
      continue;
    }
    if (!fs::is_directory(path, ec)) throw std::invalid_argument("no such file or folder: " + path);
    for (auto it = fs::recursive_directory_iterator(path, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && dsl::is_test_file(it->path())) found.push_back(it->path().string());
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

void run_test_file(const std::string& path, const std::string& filter,
                   const std::function<void(const TestResult&)>& report) {
  const fs::path folder = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
  TestFile file{path, {}};
  auto state = test_state(folder, file);
  lua_State* L = state.get();

  auto started = Clock::now();
  lua_pushcfunction(L, message_handler);
  set_deadline(L);
  if (luaL_loadfilex(L, path.c_str(), "t") != LUA_OK || lua_pcall(L, 0, 0, 1) != LUA_OK) {
    report({path, "(load)", false, lua_tostring(L, -1), seconds_since(started)});
    return;
  }
  lua_settop(L, 0);
  if (file.cases.empty()) {
    report({path, "(load)", false, path + ": registers no test (test.case(name, function(t) ... end))",
            seconds_since(started)});
    return;
  }

  std::deque<HarnessBinding> bindings;  // outlive the tests: handles may linger in upvalues
  for (const TestCase& test : file.cases) {
    if (!filter.empty() && test.name.find(filter) == std::string::npos) continue;
    TestResult result{path, test.name, false, "", 0};
    started = Clock::now();
    HarnessBinding& binding = bindings.emplace_back(HarnessBinding{nullptr, folder.string()});
    std::unique_ptr<TestHarness> harness;
    try {
      harness = std::make_unique<TestHarness>(folder.string());
    } catch (const std::exception& e) {  // the workflows do not load: no test of the file can run
      report({path, "(load)", false, e.what(), seconds_since(started)});
      return;
    }
    binding.harness = harness.get();
    lua_pushcfunction(L, message_handler);
    lua_rawgeti(L, LUA_REGISTRYINDEX, test.function_ref);
    push_harness(L, binding);
    set_deadline(L);
    if (lua_pcall(L, 1, 0, 1) != LUA_OK) result.failure = lua_tostring(L, -1);
    else result.failure = unmatched_requests(*harness);
    lua_settop(L, 0);
    binding.harness = nullptr;
    harness.reset();
    result.passed = result.failure.empty();
    result.seconds = seconds_since(started);
    lua_gc(L, LUA_GCCOLLECT);
    report(result);
  }
}

}  // namespace weft::api
