// docs/openapi.yaml and the router's route table list the same routes:
// every {method, path} of the yaml's `paths:` is routed, and every route
// is documented. A small line-based reader: path keys are indented two
// spaces under `paths:`, their methods four.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <utility>

#include "tests/support/api_fixture.hpp"

namespace {

using RouteSet = std::set<std::pair<std::string, std::string>>;  // {METHOD, path}

RouteSet openapi_routes(const std::string& file) {
  std::ifstream in(file);
  REQUIRE(in);
  const std::set<std::string> methods = {"get", "put", "post", "delete", "patch", "head", "options"};
  RouteSet routes;
  bool in_paths = false;
  std::string path;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != ' ') {  // a top-level key
      in_paths = line == "paths:";
      continue;
    }
    if (!in_paths || line.back() != ':') continue;
    std::string key = line.substr(0, line.size() - 1);
    if (key.rfind("  /", 0) == 0) {
      path = key.substr(2);
    } else if (key.rfind("    ", 0) == 0 && key[4] != ' ' && methods.count(key.substr(4))) {
      std::string method = key.substr(4);
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes.insert({method, path});
    }
  }
  return routes;
}

}  // namespace

TEST_CASE("docs/openapi.yaml documents exactly the router's routes", "[api][openapi]") {
  RouteSet documented = openapi_routes(std::string(WEFT_SOURCE_DIR) + "/docs/openapi.yaml");
  REQUIRE(documented.size() >= 10);
  weft::testing::Api api;
  RouteSet routed;
  for (const auto& route : api.router.route_table()) {
    // The router's rest-of-path parameter {*path} is OpenAPI's {path}.
    std::string pattern = route.pattern;
    if (auto star = pattern.find("{*"); star != std::string::npos) pattern.erase(star + 1, 1);
    routed.insert({route.method, pattern});
  }

  for (const auto& route : routed) {
    INFO(route.first << " " << route.second << " is routed");
    CHECK(documented.count(route));
  }
  for (const auto& route : documented) {
    INFO(route.first << " " << route.second << " is documented");
    CHECK(routed.count(route));
  }
}
