// The HTTP edges of the API without sockets (issue 10, item 10): auth and
// routing on one normalised path, the framing checks a request's header
// must pass, a full disk answered 503 `storage_unavailable` (and reported
// by /healthz), and tenant-scoped webhook delivery listings (item 12).
#include <catch2/catch.hpp>

#include "api/request_framing.hpp"
#include "engine/sqlite_db.hpp"
#include "engine/storage_error.hpp"
#include "tests/support/api_fixture.hpp"

using nlohmann::json;
using weft::api::framing_error;
using weft::api::HeaderFields;
using weft::testing::Api;
using weft::testing::check_error;

namespace {

std::map<std::string, std::string> bearer(const std::string& token) {
  return {{"authorization", "Bearer " + token}};
}

// The error code framing_error answers with, or "" when the framing is sound.
std::string framing(const HeaderFields& fields, unsigned version = 11) {
  auto refused = framing_error(fields, version);
  if (!refused) return "";
  CHECK(refused->status == 400);
  return refused->body["error"]["code"];
}

}  // namespace

TEST_CASE("issue 10: no spelling of a path reaches a route without the token its canonical one needs",
          "[api][http-edges]") {
  Api api({weft::api::ApiToken{"secret", ""}});
  for (const char* target : {"/metrics", "/metrics/", "/metrics//", "/metrics/?a=1", "//metrics",
                             "/%6detrics", "/%6Detrics/", "/v1/workflows/", "//v1//workflows",
                             "/%76%31/workflows", "/metrics/extra"}) {
    INFO(target);
    check_error(api("GET", target), 401, "unauthorized");
  }
  CHECK(api("GET", "/metrics/", "", bearer("secret")).status == 200);
  CHECK(api("GET", "//v1//workflows/", "", bearer("secret")).status == 200);
  CHECK(api("GET", "/healthz/").status == 200);  // public, by any spelling
}

TEST_CASE("issue 10: '.' and '..' segments, raw or encoded, and non-path targets are refused",
          "[api][http-edges]") {
  Api api({weft::api::ApiToken{"secret", ""}});
  for (const char* target : {"/metrics/.", "/healthz/../metrics", "/x/../v1/workflows", "/./metrics",
                             "/%2e%2e/metrics", "/hooks/%2E/x", "/v1/runs/..?a=1", "metrics",
                             "http://127.0.0.1/metrics", "*"}) {
    INFO(target);
    check_error(api("GET", target, "", bearer("secret")), 400, "bad_target");
    check_error(api("GET", target), 400, "bad_target");  // refused before auth: nothing leaks
  }
  CHECK(api("GET", "/v1/runs/a..b", "", bearer("secret")).status == 404);  // dots inside a segment are data
}

TEST_CASE("issue 10: Transfer-Encoding is accepted only as a single 'chunked'", "[api][http-edges]") {
  HeaderFields host{{"Host", "x"}};
  auto with = [&](HeaderFields more) {
    HeaderFields fields = host;
    fields.insert(fields.end(), more.begin(), more.end());
    return fields;
  };
  CHECK(framing(host).empty());
  CHECK(framing(with({{"Content-Length", "5"}})).empty());
  CHECK(framing(with({{"Transfer-Encoding", "chunked"}})).empty());
  CHECK(framing(with({{"transfer-encoding", " Chunked "}})).empty());
  for (const HeaderFields& bad : std::vector<HeaderFields>{
           {{"Transfer-Encoding", "foo"}},
           {{"Transfer-Encoding", "gzip"}, {"Content-Length", "10"}},
           {{"Transfer-Encoding", "gzip, chunked"}},
           {{"Transfer-Encoding", "chunked, gzip"}},
           {{"Transfer-Encoding", "chunked, chunked"}},
           {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}},
           {{"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}},
           {{"Transfer-Encoding", "chunked;q=1"}},
           {{"Transfer-Encoding", ""}},
           {{"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}},
           {{"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}},
       }) {
    CHECK(framing(with(bad)) == "bad_transfer_encoding");
  }
  CHECK(framing(with({{"Transfer-Encoding", "chunked"}}), 10) == "bad_transfer_encoding");
}

TEST_CASE("issue 10: an HTTP/1.1 request carries exactly one Host", "[api][http-edges]") {
  CHECK(framing({}) == "bad_host");
  CHECK(framing({{"Content-Length", "0"}}) == "bad_host");
  CHECK(framing({{"Host", "a"}, {"host", "b"}}) == "bad_host");
  CHECK(framing({{"Host", "a"}, {"HOST", "a"}}, 10) == "bad_host");
  CHECK(framing({}, 10).empty());  // HTTP/1.0 needs none
  CHECK(framing({{"Host", ""}}).empty());  // present, if empty (RFC 9112 §3.2)
}

TEST_CASE("issue 10: a full disk is StorageUnavailable, reported by /healthz until a write commits",
          "[api][http-edges][storage]") {
  using weft::engine::StorageUnavailable;
  namespace sqlite = weft::engine::sqlite;
  weft::testing::TempDir dir;
  sqlite::Connection db((dir.path() / "full.db").string(), false);
  db.exec("CREATE TABLE t(x BLOB)");
  db.exec("PRAGMA max_page_count = 4");  // SQLite's own limit: SQLITE_FULL past four pages
  Api api;
  REQUIRE(api("GET", "/healthz").status == 200);
  {
    sqlite::Transaction tx(db);
    auto insert = db.prepare("INSERT INTO t VALUES (?1)");
    CHECK_THROWS_AS(insert.bind_blob(1, std::string(64 * 1024, 'x')).run(), StorageUnavailable);
  }
  auto health = api("GET", "/healthz");
  CHECK(health.status == 503);
  CHECK(health.headers["Retry-After"] == "5");
  CHECK(health.body["status"] == "unavailable");
  CHECK(health.body["storage"] == "unavailable");
  CHECK_THAT(health.body["storage_error"].get<std::string>(), Catch::Contains("full"));

  db.exec("PRAGMA max_page_count = 100000");  // space again: the next write that commits clears it
  {
    sqlite::Transaction tx(db);
    db.prepare("INSERT INTO t VALUES (?1)").bind_blob(1, std::string("x")).run();
    tx.commit();
  }
  CHECK(api("GET", "/healthz").body == json{{"status", "ok"}, {"storage", "ok"}});

  weft::engine::storage_failed("storage: disk I/O error (code 10)");
  auto failed = api("GET", "/healthz");
  CHECK(failed.status == 503);
  CHECK(failed.body["storage_error"] == "storage: disk I/O error (code 10)");
  weft::engine::storage_recovered();
  CHECK(api("GET", "/healthz").status == 200);
  auto answer = weft::api::storage_unavailable_response();
  check_error(answer, 503, "storage_unavailable");
  CHECK(answer.headers["Retry-After"] == "5");
}

TEST_CASE("issue 10: a tenant-scoped token lists only its own runs' webhook deliveries",
          "[api][http-edges][tenant]") {
  Api api({{"admin", ""}, {"acme-token", "acme"}, {"globex-token", "globex"}});
  std::string acme_run = api("POST", "/v1/workflows/hello/runs", "{}", bearer("acme-token")).body["id"];
  std::string globex_run =
      api("POST", "/v1/workflows/hello/runs", "{}", bearer("globex-token")).body["id"];
  api.fx.settle();
  auto deliver = [&](const std::string& route, const std::string& run_id) {
    weft::engine::WebhookDelivery delivery;
    delivery.route = route;
    delivery.workflow = "hello";
    delivery.run_id = run_id;
    delivery.status = run_id.empty() ? 401 : 202;
    delivery.outcome = run_id.empty() ? "rejected" : "started";
    REQUIRE(api.fx.engine->committer().commit_and_wait({"", "", {weft::engine::AppendDelivery{delivery}}}));
  };
  deliver("/hooks/acme", acme_run);
  deliver("/hooks/globex", globex_run);
  deliver("/hooks/acme", "");  // rejected: no run, no tenant

  auto listed = [&](const std::string& token, const std::string& query = "") {
    auto response = api("GET", "/v1/webhooks/deliveries" + query, "", bearer(token));
    REQUIRE(response.status == 200);
    return response.body["deliveries"];
  };
  CHECK(listed("admin").size() == 3);
  auto acme = listed("acme-token");
  REQUIRE(acme.size() == 1);
  CHECK(acme[0]["run_id"] == acme_run);
  auto globex = listed("globex-token");
  REQUIRE(globex.size() == 1);
  CHECK(globex[0]["run_id"] == globex_run);
  CHECK(listed("globex-token", "?route=/hooks/acme").empty());
  CHECK(listed("acme-token", "?route=/hooks/acme").size() == 1);
}
