// GET /v1/blobs and GET /v1/blobs/{path}: what workflows stored, listed by
// prefix in pages and read back with its content type; hostile paths and
// tenant-scoped tokens refused.
#include <catch2/catch.hpp>

#include "tests/support/api_fixture.hpp"

using nlohmann::json;
using weft::testing::Api;
using weft::testing::check_error;

namespace {

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}};
}

void put(Api& api, const std::string& path, const std::string& data, const std::string& type) {
  api.fx.store->blobs().put_blob({path, type, data, static_cast<int64_t>(data.size()), 1'800'000'000'000});
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

TEST_CASE("a tenant-scoped token cannot read the blobs every tenant shares", "[api][blobs][tenant]") {
  Api api({{"admin", ""}, {"acme-token", "acme"}});
  put(api, "raw/globex/secret.json", "{}", "application/json");
  check_error(api("GET", "/v1/blobs", "", bearer("acme-token")), 403, "forbidden");
  check_error(api("GET", "/v1/blobs/raw/globex/secret.json", "", bearer("acme-token")), 403, "forbidden");
}
