// FakeServer seen from a real HTTP client (libcurl, on 127.0.0.1 only):
// routes, 404s, recording, delays, 429s, dropped connections, redirects,
// huge bodies, keep-alive and many concurrent delayed requests.
#include <catch2/catch.hpp>
#include <curl/curl.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/fakes/fake_server.hpp"

using weft::testing::FakeRequest;
using weft::testing::FakeResponse;
using weft::testing::FakeServer;
using namespace std::chrono_literals;

namespace {

constexpr long kClientTimeoutMs = 30000;

struct EasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
using Easy = std::unique_ptr<CURL, EasyCleanup>;

struct Reply {
  CURLcode code = CURLE_OK;
  long status = 0;
  long new_connections = 0;
  long redirects = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* reply) {
  static_cast<Reply*>(reply)->body.append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* reply) {
  const std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto start = line.find_first_not_of(' ', colon + 1);
  const auto end = line.find_last_not_of("\r\n");
  static_cast<Reply*>(reply)->headers[name] = line.substr(start, end + 1 - start);
  return size * count;
}

void configure(CURL* easy, const std::string& url, Reply& reply) {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, kClientTimeoutMs);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, &reply);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, &reply);
}

void collect(CURL* easy, CURLcode code, Reply& reply) {
  reply.code = code;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_getinfo(easy, CURLINFO_NUM_CONNECTS, &reply.new_connections);
  curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &reply.redirects);
}

// One request on `easy` (which keeps its connection for the next call).
Reply perform(CURL* easy, const std::string& url) {
  Reply reply;
  configure(easy, url, reply);
  collect(easy, curl_easy_perform(easy), reply);
  return reply;
}

Reply get(const std::string& url) {
  Easy easy(curl_easy_init());
  return perform(easy.get(), url);
}

struct Batch {
  std::vector<Reply> replies;          // in the order of the urls
  std::vector<std::size_t> finished;   // indexes into replies, in completion order
};

void drive(CURLM* multi) {
  const auto deadline = std::chrono::steady_clock::now() + 2 * std::chrono::milliseconds(kClientTimeoutMs);
  int running = 1;
  while (running > 0 && std::chrono::steady_clock::now() < deadline) {
    curl_multi_perform(multi, &running);
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
}

void harvest(CURLM* multi, Batch& batch) {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    Reply* reply = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &reply);
    collect(message->easy_handle, message->data.result, *reply);
    batch.finished.push_back(static_cast<std::size_t>(reply - batch.replies.data()));
  }
}

// All urls at once, each on its own connection, through one curl multi handle.
Batch get_all(const std::vector<std::string>& urls) {
  Batch batch;
  batch.replies.resize(urls.size());
  std::vector<Easy> handles;
  CURLM* multi = curl_multi_init();
  for (std::size_t i = 0; i < urls.size(); ++i) {
    handles.emplace_back(curl_easy_init());
    configure(handles.back().get(), urls[i], batch.replies[i]);
    curl_multi_add_handle(multi, handles.back().get());
  }
  drive(multi);
  harvest(multi, batch);
  for (auto& easy : handles) curl_multi_remove_handle(multi, easy.get());
  curl_multi_cleanup(multi);
  return batch;
}

}  // namespace

TEST_CASE("a route answers with its JSON", "[fake]") {
  FakeServer server;
  server.on("GET", "/v1/accounts", [](const FakeRequest&) {
    return FakeResponse::json(200, {{"accounts", {"acme", "globex"}}});
  });
  Reply reply = get(server.url("/v1/accounts"));
  REQUIRE(reply.code == CURLE_OK);
  CHECK(reply.status == 200);
  CHECK(reply.headers["content-type"] == "application/json");
  CHECK(nlohmann::json::parse(reply.body) == nlohmann::json{{"accounts", {"acme", "globex"}}});
}

TEST_CASE("an unknown route answers 404 JSON", "[fake]") {
  FakeServer server;
  server.on("GET", "/known", [](const FakeRequest&) { return FakeResponse::text(200, "ok"); });
  const Reply reply = get(server.url("/unknown"));
  REQUIRE(reply.code == CURLE_OK);
  CHECK(reply.status == 404);
  CHECK(nlohmann::json::parse(reply.body)["path"] == "/unknown");
}

TEST_CASE("every request is recorded with method, target, headers and body", "[fake]") {
  FakeServer server;
  server.on("POST", "/hooks/slack", [](const FakeRequest&) { return FakeResponse::text(200, "ok"); });
  Easy easy(curl_easy_init());
  curl_slist* headers = curl_slist_append(nullptr, "X-Slack-Signature: v0=abc");
  curl_easy_setopt(easy.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDS, R"({"event":"message"})");
  const Reply reply = perform(easy.get(), server.url("/hooks/slack?team=T1"));
  curl_slist_free_all(headers);
  REQUIRE(reply.code == CURLE_OK);

  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/hooks/slack?team=T1");
  CHECK(requests[0].path == "/hooks/slack");
  CHECK(requests[0].query == "team=T1");
  CHECK(requests[0].headers.at("x-slack-signature") == "v0=abc");
  CHECK(requests[0].body == R"({"event":"message"})");
  CHECK(server.request_count("/hooks/slack") == 1);
  CHECK(server.request_count("/other") == 0);
}

TEST_CASE("a delayed answer arrives no sooner than its delay", "[fake]") {
  FakeServer server;
  server.on("GET", "/slow", [](const FakeRequest&) { return FakeResponse::text(200, "late").after(300ms); });
  const auto start = std::chrono::steady_clock::now();
  const Reply reply = get(server.url("/slow"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(reply.code == CURLE_OK);
  CHECK(reply.body == "late");
  CHECK(elapsed >= 300ms);
}

TEST_CASE("a delayed answer does not hold up other connections", "[fake]") {
  FakeServer server;
  server.on("GET", "/slow", [](const FakeRequest&) { return FakeResponse::text(200, "slow").after(1000ms); });
  server.on("GET", "/fast", [](const FakeRequest&) { return FakeResponse::text(200, "fast"); });
  const Batch batch = get_all({server.url("/slow"), server.url("/fast")});
  REQUIRE(batch.finished.size() == 2);
  CHECK(batch.finished[0] == 1);
  CHECK(batch.replies[0].body == "slow");
}

TEST_CASE("failures carry their status, 429 carries Retry-After", "[fake]") {
  FakeServer server;
  server.on("GET", "/limited", [](const FakeRequest&) { return FakeResponse::too_many_requests(7); });
  server.on("GET", "/down", [](const FakeRequest&) { return FakeResponse::fail(503); });
  Reply limited = get(server.url("/limited"));
  REQUIRE(limited.code == CURLE_OK);
  CHECK(limited.status == 429);
  CHECK(limited.headers["retry-after"] == "7");
  const Reply down = get(server.url("/down"));
  CHECK(down.status == 503);
  CHECK(nlohmann::json::parse(down.body)["error"] == "Service Unavailable");
}

TEST_CASE("a handler that throws answers 500", "[fake]") {
  FakeServer server;
  server.on("GET", "/boom", [](const FakeRequest&) -> FakeResponse { throw std::runtime_error("boom"); });
  const Reply reply = get(server.url("/boom"));
  CHECK(reply.status == 500);
  CHECK(nlohmann::json::parse(reply.body)["what"] == "boom");
}

TEST_CASE("closing without a response makes the client see an error", "[fake]") {
  FakeServer server;
  server.on("GET", "/drop", [](const FakeRequest&) { return FakeResponse::drop_connection(); });
  const Reply reply = get(server.url("/drop"));
  CHECK(reply.code != CURLE_OK);
  CHECK(reply.status == 0);
  CHECK(server.request_count("/drop") == 1);
}

TEST_CASE("a redirect sends the client to its Location", "[fake]") {
  FakeServer server;
  server.on("GET", "/old", [&](const FakeRequest&) { return FakeResponse::redirect(server.url("/new"), 301); });
  server.on("GET", "/new", [](const FakeRequest&) { return FakeResponse::text(200, "moved here"); });
  Easy easy(curl_easy_init());
  curl_easy_setopt(easy.get(), CURLOPT_FOLLOWLOCATION, 1L);
  const Reply reply = perform(easy.get(), server.url("/old"));
  REQUIRE(reply.code == CURLE_OK);
  CHECK(reply.redirects == 1);
  CHECK(reply.status == 200);
  CHECK(reply.body == "moved here");
  CHECK(server.request_count("/new") == 1);
}

TEST_CASE("a huge body arrives whole", "[fake]") {
  constexpr std::size_t size = 16 * 1024 * 1024 + 3;
  FakeServer server;
  server.on("GET", "/export", [](const FakeRequest&) { return FakeResponse::huge(size); });
  const Reply reply = get(server.url("/export"));
  REQUIRE(reply.code == CURLE_OK);
  CHECK(reply.body.size() == size);
  CHECK(reply.body.find_first_not_of('x') == std::string::npos);
}

TEST_CASE("two requests on one handle share a kept-alive connection", "[fake]") {
  FakeServer server;
  server.on("GET", "/ping", [](const FakeRequest&) { return FakeResponse::text(200, "pong"); });
  Easy easy(curl_easy_init());
  const Reply first = perform(easy.get(), server.url("/ping"));
  const Reply second = perform(easy.get(), server.url("/ping"));
  REQUIRE(first.code == CURLE_OK);
  REQUIRE(second.code == CURLE_OK);
  CHECK(first.new_connections == 1);
  CHECK(second.new_connections == 0);
  CHECK(second.body == "pong");
}

TEST_CASE("50 concurrent delayed requests all succeed", "[fake]") {
  FakeServer server;
  server.on("GET", "/bulk", [](const FakeRequest& request) {
    return FakeResponse::json(200, {{"query", request.query}}).after(200ms);
  });
  std::vector<std::string> urls;
  for (int i = 0; i < 50; ++i) urls.push_back(server.url("/bulk?i=" + std::to_string(i)));
  const Batch batch = get_all(urls);
  REQUIRE(batch.finished.size() == urls.size());
  for (std::size_t i = 0; i < urls.size(); ++i) {
    INFO("request " << i);
    CHECK(batch.replies[i].code == CURLE_OK);
    CHECK(batch.replies[i].status == 200);
    CHECK(nlohmann::json::parse(batch.replies[i].body)["query"] == "i=" + std::to_string(i));
  }
  CHECK(server.request_count("/bulk") == 50);
}
