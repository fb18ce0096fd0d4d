// The Lua side of weft test (docs/testing.md): the `weft.test` module a
// test file requires (test.case, assertions) and the harness object `t`
// each test function gets, with its run handles and mocks.
#pragma once
#include <lua.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "api/test_harness.hpp"
#include "dsl/lua_guard.hpp"

namespace weft::api {

struct TestCase {
  std::string name;
  int function_ref = LUA_NOREF;  // in the registry
};

// What a test file registered while it loaded.
struct TestFile {
  std::string path;
  std::vector<TestCase> cases;
};

// Makes require("weft.test") return the module; cases go to `file`.
void install_test_module(lua_State* L, TestFile& file);

// What `t` and its handles reach: the harness of the test in progress.
// Outlives the test (handles kept in upvalues may be called later, and
// then raise "this test has ended").
struct HarnessBinding {
  TestHarness* harness = nullptr;  // null once the test ended
  std::string folder;              // the test file's folder (relative paths)
};

// Pushes `t` for one test.
void push_harness(lua_State* L, HarnessBinding& binding);

// "no t:mock_http matches GET https://..." for the requests no mock
// matched since the last check (each is reported once); "" if none.
std::string unmatched_requests(TestHarness& harness);

// "file:line: " of the Lua code that called the running C function.
std::string caller_where(lua_State* L);

// Runs a binding's body as dsl::guarded does, its errors prefixed with
// the caller's file:line as Lua's own error() does.
template <class Body>
int located(lua_State* L, Body&& body) {
  return dsl::guarded(L, [&](lua_State* L) {
    try {
      return body(L);
    } catch (const dsl::ArgError&) {
      throw;
    } catch (const std::exception& e) {
      throw std::runtime_error(caller_where(L) + e.what());
    }
  });
}

}  // namespace weft::api
