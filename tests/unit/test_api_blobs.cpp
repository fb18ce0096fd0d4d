// GET /v1/blobs and GET /v1/blobs/{path}: what workflows stored, listed by
// prefix in pages and read back with its content type; hostile paths
// refused; a tenant-scoped token reads its own tenant's namespace only.
#include <catch2/catch.hpp>

#include "tests/support/api_fixture.hpp"

using nlohmann::json;
using weft::testing::Api;
using weft::testing::check_error;

namespace {

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}};
}

void put(Api& api, const std::string& path, const std::string& data, const std::string& type,
         const std::string& tenant = "") {
  api.fx.store->blobs().put_blob(tenant, {path, type, data, static_cast<int64_t>(data.size()), 1'800'000'000'000});
}

std::vector<std::string> listed_paths(const json& body) {
  std::vector<std::string> paths;
  for (const auto& blob : body["blobs"]) paths.push_back(blob["path"].get<std::string>());
  return paths;
}

}  // namespace

TEST_CASE("blobs are listed by prefix in pages and read back with their content type", "[api][blobs]") {
  Api api({{"admin", ""}, {"other-admin", ""}});
  auto admin = bearer("admin");
  put(api, "raw/2027/01/15/L-1.json", R"({"id":"L-1"})", "application/json");
  put(api, "raw/2027/01/15/L-2.json", R"({"id":"L-2"})", "application/json");
  put(api, "refined/L-1.json", "{}", "application/json");
  put(api, "exports/a.csv", std::string("a,b\n\0\xff", 6), "text/csv");

  auto first = api("GET", "/v1/blobs?prefix=raw/&limit=1", "", admin);
  REQUIRE(first.status == 200);
  CHECK(first.body["blobs"] == json::array({{{"path", "raw/2027/01/15/L-1.json"}, {"size", 12},
                                             {"content_type", "application/json"},
                                             {"updated_at", 1'800'000'000'000}}}));
  REQUIRE(first.body["next_cursor"] == "raw/2027/01/15/L-1.json");
  auto second = api("GET", "/v1/blobs?prefix=raw/&limit=1&cursor=raw/2027/01/15/L-1.json", "", admin);
  REQUIRE(second.body["blobs"].size() == 1);
  CHECK(second.body["blobs"][0]["path"] == "raw/2027/01/15/L-2.json");
  auto third = api("GET", "/v1/blobs?prefix=raw/&limit=1&cursor=raw/2027/01/15/L-2.json", "", admin);
  CHECK(third.body["blobs"].empty());
  CHECK(api("GET", "/v1/blobs", "", admin).body["blobs"].size() == 4);

  auto csv = api("GET", "/v1/blobs/exports/a.csv", "", admin);
  REQUIRE(csv.status == 200);
  CHECK(csv.headers["Content-Type"] == "text/csv");
  CHECK(csv.headers["X-Content-Type-Options"] == "nosniff");
  CHECK(csv.raw_body == std::string("a,b\n\0\xff", 6));  // every byte, NUL included
}

TEST_CASE("a missing blob is 404 and a hostile path or parameter is 400", "[api][blobs]") {
  Api api({{"admin", ""}, {"other-admin", ""}});
  auto admin = bearer("admin");
  check_error(api("GET", "/v1/blobs/none/here.json", "", admin), 404, "not_found");
  check_error(api("GET", "/v1/blobs?prefix=/etc", "", admin), 400, "invalid_path");
  check_error(api("GET", "/v1/blobs?prefix=a//b", "", admin), 400, "invalid_path");
  check_error(api("GET", "/v1/blobs?limit=0", "", admin), 400, "invalid_query");
  check_error(api("GET", "/v1/blobs?limit=99999999999999999999", "", admin), 400, "invalid_query");
  CHECK(api("GET", "/v1/blobs/a/%2e%2e/b", "", admin).status == 400);  // refused as a target, never resolved
  CHECK(api("GET", "/v1/blobs/raw", "").status == 401);
}

TEST_CASE("issue 14: a tenant-scoped token lists and reads only its tenant's blobs", "[api][blobs][tenant]") {
  Api api({{"admin", ""}, {"acme-token", "acme"}, {"globex-token", "globex"}});
  put(api, "raw/shared.json", "shared", "application/json");
  put(api, "raw/a.json", "acme's", "application/json", "acme");
  put(api, "raw/g.json", "globex's", "application/json", "globex");
  put(api, "raw/same.json", "acme same", "text/plain", "acme");
  put(api, "raw/same.json", "globex same", "text/plain", "globex");

  auto acme = api("GET", "/v1/blobs?prefix=raw/", "", bearer("acme-token"));
  REQUIRE(acme.status == 200);
  CHECK(listed_paths(acme.body) == std::vector<std::string>{"raw/a.json", "raw/same.json"});
  CHECK(api("GET", "/v1/blobs/raw/same.json", "", bearer("acme-token")).raw_body == "acme same");
  CHECK(api("GET", "/v1/blobs/raw/same.json", "", bearer("globex-token")).raw_body == "globex same");
  // Another tenant's object and a shared one are not there for acme.
  check_error(api("GET", "/v1/blobs/raw/g.json", "", bearer("acme-token")), 404, "not_found");
  check_error(api("GET", "/v1/blobs/raw/shared.json", "", bearer("acme-token")), 404, "not_found");
  // Naming another tenant is refused, not answered from acme's namespace.
  check_error(api("GET", "/v1/blobs?tenant=globex", "", bearer("acme-token")), 403, "forbidden");
  check_error(api("GET", "/v1/blobs/raw/g.json?tenant=globex", "", bearer("acme-token")), 403, "forbidden");
  CHECK(api("GET", "/v1/blobs?tenant=acme", "", bearer("acme-token")).status == 200);

  // An unscoped token: the shared namespace, or the one ?tenant= names.
  auto shared = api("GET", "/v1/blobs", "", bearer("admin"));
  CHECK(listed_paths(shared.body) == std::vector<std::string>{"raw/shared.json"});
  auto globex = api("GET", "/v1/blobs?tenant=globex", "", bearer("admin"));
  CHECK(listed_paths(globex.body) == std::vector<std::string>{"raw/g.json", "raw/same.json"});
  CHECK(api("GET", "/v1/blobs/raw/same.json?tenant=globex", "", bearer("admin")).raw_body == "globex same");
  check_error(api("GET", "/v1/blobs?tenant=../acme", "", bearer("admin")), 400, "invalid_tenant");
  check_error(api("GET", "/v1/blobs?tenant=", "", bearer("admin")), 400, "invalid_tenant");
}
