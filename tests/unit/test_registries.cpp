// The two registries the layers above fill: native modules (require) and
// a worker's native services (RunContext::service).
#include <catch2/catch.hpp>

#include "dsl/native_modules.hpp"
#include "dsl/services.hpp"

namespace {

struct Mailer {
  int sent = 0;
};
struct Keys {
  int id = 7;
};
int open_first(lua_State*) { return 0; }
int open_second(lua_State*) { return 0; }

}  // namespace

TEST_CASE("a service is found by its type, an absent one is null", "[registry]") {
  weft::dsl::Services services;
  Mailer mailer;
  const Keys keys;
  CHECK(services.find<Mailer>() == nullptr);
  services.put(&mailer);
  services.put(&keys);
  REQUIRE(services.find<Mailer>() == &mailer);
  services.find<Mailer>()->sent++;
  CHECK(mailer.sent == 1);
  CHECK(services.find<const Keys>() == &keys);
  CHECK(services.find<const Keys>()->id == 7);
}

TEST_CASE("a native module is found once registered and keeps its first opener", "[registry]") {
  using weft::dsl::find_native_module;
  CHECK(find_native_module("test.registry.mailer") == nullptr);
  weft::dsl::register_native_modules({{"test.registry.mailer", open_first}});
  weft::dsl::register_native_modules({{"test.registry.mailer", open_second}});
  CHECK(find_native_module("test.registry.mailer") == open_first);
  CHECK(find_native_module("weft") != nullptr);  // dsl's own
  CHECK(find_native_module("weft.json") != nullptr);  // stdlib's, registered by main
}
