#include "api/http_mocks.hpp"

#include <boost/asio/post.hpp>

namespace weft::api {
namespace {

class MockTransport final : public stdlib::HttpTransport {
 public:
  MockTransport(HttpMocks& mocks, boost::asio::io_context& io) : mocks_(mocks), io_(io) {}

  void start(const stdlib::HttpRequest& request, Done done) override {
    std::optional<stdlib::HttpOutcome> answer = mocks_.answer(request);
    stdlib::HttpOutcome outcome;
    if (answer) {
      outcome = std::move(*answer);
    } else {
      outcome.error = {"unmatched", "no t:mock_http matches " + request.method + " " + request.url, false};
    }
    boost::asio::post(io_, [done = std::move(done), outcome = std::move(outcome)] { done(outcome); });
  }

 private:
  HttpMocks& mocks_;
  boost::asio::io_context& io_;
};

}  // namespace

bool url_matches(const std::string& pattern, const std::string& url) {
  // Greedy glob with backtracking to the last '*': linear in practice.
  size_t p = 0, u = 0, star = std::string::npos, resume = 0;
  while (u < url.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = u;
    } else if (p < pattern.size() && pattern[p] == url[u]) {
      ++p;
      ++u;
    } else if (star != std::string::npos) {
      p = star + 1;
      u = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

size_t HttpMocks::add(HttpMock mock) {
  std::lock_guard lock(mutex_);
  mocks_.push_back({std::move(mock), 0});
  return mocks_.size() - 1;
}

std::optional<stdlib::HttpOutcome> HttpMocks::answer(const stdlib::HttpRequest& request) {
  std::lock_guard lock(mutex_);
  HttpCall call{request, -1};
  std::optional<stdlib::HttpOutcome> outcome;
  for (size_t i = 0; i < mocks_.size(); ++i) {
    Mock& mock = mocks_[i];
    const HttpMock& spec = mock.spec;
    if (spec.times >= 0 && mock.answered >= spec.times) continue;
    if (!spec.method.empty() && spec.method != request.method) continue;
    if (!url_matches(spec.url_pattern, request.url)) continue;
    ++mock.answered;
    call.mock = static_cast<int64_t>(i);
    outcome = spec.answer;
    break;
  }
  calls_.push_back(std::move(call));
  return outcome;
}

std::vector<HttpCall> HttpMocks::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

std::vector<HttpCall> HttpMocks::calls_of(size_t mock) const {
  std::lock_guard lock(mutex_);
  std::vector<HttpCall> out;
  for (const auto& call : calls_)
    if (call.mock == static_cast<int64_t>(mock)) out.push_back(call);
  return out;
}

std::vector<stdlib::HttpRequest> HttpMocks::take_unmatched() {
  std::lock_guard lock(mutex_);
  std::vector<stdlib::HttpRequest> out;
  for (; unmatched_reported_ < calls_.size(); ++unmatched_reported_)
    if (calls_[unmatched_reported_].mock < 0) out.push_back(calls_[unmatched_reported_].request);
  return out;
}

std::shared_ptr<stdlib::HttpTransport> HttpMocks::transport(boost::asio::io_context& io) {
  return std::make_shared<MockTransport>(*this, io);
}

}  // namespace weft::api
