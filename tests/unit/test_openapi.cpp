// docs/openapi.yaml and the router's route table list the same routes:
// every {method, path} of the yaml's `paths:` is routed, and every route
// is documented. And what client generators need (issue 11): every
// operation has a unique camelCase operationId and tags declared, with a
// description, in the top-level `tags:` list. A small line-based reader:
// path keys are indented two spaces under `paths:`, their methods four,
// an operation's `operationId:` and `tags: [A, B]` (a flow list) six; a
// top-level tag is `  - name: X` with `    description: ...` (one line, or
// a block scalar whose first line is taken) under it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/api_fixture.hpp"

namespace {

using RouteSet = std::set<std::pair<std::string, std::string>>;  // {METHOD, path}

struct Operation {
  std::string method;        // "GET"
  std::string path;          // "/v1/runs/{id}"
  std::string operation_id;  // "" when it has none
  std::vector<std::string> tags;
};

struct OpenApi {
  std::vector<Operation> operations;        // in the file's order
  std::map<std::string, std::string> tags;  // the top-level `tags:`, name -> description
};

std::string trimmed(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(" \t\r") - begin + 1);
}

// A scalar without its quotes: `"Dead letters"` is `Dead letters`.
std::string scalar(const std::string& text) {
  std::string value = trimmed(text);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  return value;
}

// The items of a flow list, `[Runs, "Dead letters"]`; none when the value is not one.
std::vector<std::string> flow_list(const std::string& text) {
  std::string list = trimmed(text);
  std::vector<std::string> items;
  if (list.size() < 2 || list.front() != '[' || list.back() != ']') return items;
  list = list.substr(1, list.size() - 2);
  for (size_t start = 0; start <= list.size();) {
    size_t comma = std::min(list.find(',', start), list.size());
    if (std::string item = scalar(list.substr(start, comma - start)); !item.empty()) items.push_back(item);
    start = comma + 1;
  }
  return items;
}

// The value of `line` when it is `key` indented exactly `indent` spaces.
std::optional<std::string> value_of(const std::string& line, size_t indent, const std::string& key) {
  std::string prefix = std::string(indent, ' ') + key + ":";
  if (line.rfind(prefix, 0) != 0) return std::nullopt;
  std::string rest = line.substr(prefix.size());
  if (!rest.empty() && rest[0] != ' ') return std::nullopt;
  return trimmed(rest);
}

OpenApi read_openapi(std::istream& in) {
  const std::set<std::string> methods = {"get", "put", "post", "delete", "patch", "head", "options"};
  OpenApi doc;
  std::string section;  // the top-level key the line is under
  std::string path;
  bool in_operation = false;         // the line is under doc.operations.back()
  std::string tag;                   // the top-level tag the line is under
  bool description_follows = false;  // that tag's description is a block scalar
  for (std::string line; std::getline(in, line);) {
    std::string text = trimmed(line);
    if (text.empty() || text[0] == '#') continue;
    if (line[0] != ' ') {  // a top-level key
      section = line.back() == ':' ? line.substr(0, line.size() - 1) : "";
      in_operation = false;
      continue;
    }
    if (section == "tags") {
      if (auto name = value_of(line, 2, "- name")) {
        tag = scalar(*name);
        doc.tags[tag] = "";
        description_follows = false;
      } else if (auto description = value_of(line, 4, "description"); description && !tag.empty()) {
        description_follows = description->find_first_not_of("|>+-") == std::string::npos;
        doc.tags[tag] = description_follows ? "" : scalar(*description);
      } else if (description_follows && line.rfind("      ", 0) == 0) {
        doc.tags[tag] = text;
        description_follows = false;
      }
      continue;
    }
    if (section != "paths") continue;
    size_t indent = line.find_first_not_of(' ');
    if (indent == 2) {
      in_operation = false;
      if (line.rfind("  /", 0) == 0 && line.back() == ':') path = line.substr(2, line.size() - 3);
    } else if (indent == 4) {  // a method, or another key of the path (parameters, summary)
      std::string key = line.back() == ':' ? line.substr(4, line.size() - 5) : "";
      in_operation = methods.count(key) > 0;
      if (in_operation) {
        for (auto& c : key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        doc.operations.push_back({key, path, "", {}});
      }
    } else if (in_operation) {
      if (auto id = value_of(line, 6, "operationId")) doc.operations.back().operation_id = scalar(*id);
      if (auto tags = value_of(line, 6, "tags")) doc.operations.back().tags = flow_list(*tags);
    }
  }
  return doc;
}

OpenApi read_openapi_file() {
  std::ifstream in(std::string(WEFT_SOURCE_DIR) + "/docs/openapi.yaml");
  REQUIRE(in);
  return read_openapi(in);
}

RouteSet openapi_routes(const OpenApi& doc) {
  RouteSet routes;
  for (const auto& operation : doc.operations) routes.insert({operation.method, operation.path});
  return routes;
}

// "getRunHistory": a lower-case letter, then letters and digits.
bool is_camel_case(const std::string& id) {
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  return !id.empty() && std::islower(static_cast<unsigned char>(id[0])) && std::all_of(id.begin(), id.end(), alnum);
}

// What a client generator would trip on, one line each: a tag without a
// description, an operation without an operationId or tag, an
// operationId that is not camelCase or that another operation has, a
// tag not declared at the top level.
std::vector<std::string> generator_problems(const OpenApi& doc) {
  std::vector<std::string> problems;
  for (const auto& [name, description] : doc.tags)
    if (description.empty()) problems.push_back("tag '" + name + "' has no description");
  std::map<std::string, std::string> seen;  // operationId -> "METHOD path"
  for (const auto& operation : doc.operations) {
    std::string where = operation.method + " " + operation.path;
    const std::string& id = operation.operation_id;
    if (id.empty())
      problems.push_back(where + " has no operationId");
    else if (!is_camel_case(id))
      problems.push_back(where + ": operationId '" + id + "' is not camelCase");
    else if (!seen.emplace(id, where).second)
      problems.push_back(where + ": operationId '" + id + "' is also " + seen.at(id) + "'s");
    if (operation.tags.empty()) problems.push_back(where + " has no tag");
    for (const auto& tag : operation.tags)
      if (!doc.tags.count(tag)) problems.push_back(where + ": tag '" + tag + "' is not declared in the top-level tags");
  }
  return problems;
}

}  // namespace

TEST_CASE("docs/openapi.yaml documents exactly the router's routes", "[api][openapi]") {
  RouteSet documented = openapi_routes(read_openapi_file());
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

TEST_CASE("issue 11: every operation in docs/openapi.yaml has its own operationId and described tags",
          "[api][openapi][issue11]") {
  OpenApi doc = read_openapi_file();
  REQUIRE(doc.operations.size() >= 10);
  CHECK(generator_problems(doc) == std::vector<std::string>{});
}

TEST_CASE("issue 11: the openapi check names missing or shared operationIds and undeclared tags",
          "[api][openapi][issue11]") {
  std::istringstream yaml(R"(openapi: 3.0.3
tags:
  - name: Runs
    description: Runs.
  - name: Dead letters
    description: >-
      Failed runs.
  - name: Bare
paths:
  /v1/runs:
    get:
      operationId: listRuns
      tags: [Runs, "Dead letters"]
    post:
      tags: [Runs]
  /v1/runs/{id}:
    parameters:
      - {name: id, in: path, required: true}
    get:
      operationId: listRuns
      tags: [Nope]
    delete:
      operationId: Delete_run
      summary: Delete
components:
  schemas:
    Run:
      tags: [Nope]
)");
  OpenApi doc = read_openapi(yaml);
  REQUIRE(doc.operations.size() == 4);
  CHECK(doc.tags.at("Dead letters") == "Failed runs.");
  CHECK(doc.operations[0].tags == std::vector<std::string>{"Runs", "Dead letters"});
  std::vector<std::string> expected = {
      "tag 'Bare' has no description",
      "POST /v1/runs has no operationId",
      "GET /v1/runs/{id}: operationId 'listRuns' is also GET /v1/runs's",
      "GET /v1/runs/{id}: tag 'Nope' is not declared in the top-level tags",
      "DELETE /v1/runs/{id}: operationId 'Delete_run' is not camelCase",
      "DELETE /v1/runs/{id} has no tag",
  };
  CHECK(generator_problems(doc) == expected);
}
