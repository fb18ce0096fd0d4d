// weft test's recording email transport (see email_outbox.hpp).
#include "api/email_outbox.hpp"

#include <boost/asio/post.hpp>

namespace weft::api {
namespace {

class OutboxTransport final : public stdlib::EmailTransport {
 public:
  OutboxTransport(EmailOutbox& outbox, boost::asio::io_context& io) : outbox_(outbox), io_(io) {}

  void send(const stdlib::OutgoingEmail& email, Done done) override {
    boost::asio::post(io_, [done = std::move(done), outcome = outbox_.take(email)] { done(outcome); });
  }

 private:
  EmailOutbox& outbox_;
  boost::asio::io_context& io_;
};

}  // namespace

void EmailOutbox::fail_next(stdlib::EmailOutcome failure, int64_t times) {
  std::lock_guard lock(mutex_);
  failures_.push_back({std::move(failure), times});
}

std::vector<stdlib::OutgoingEmail> EmailOutbox::sent() const {
  std::lock_guard lock(mutex_);
  return sent_;
}

stdlib::EmailOutcome EmailOutbox::take(const stdlib::OutgoingEmail& email) {
  std::lock_guard lock(mutex_);
  for (auto& failure : failures_) {
    if (failure.times_left <= 0) continue;
    --failure.times_left;
    return failure.outcome;
  }
  sent_.push_back(email);
  stdlib::EmailOutcome accepted;
  accepted.ok = true;
  return accepted;
}

std::shared_ptr<stdlib::EmailTransport> EmailOutbox::transport(boost::asio::io_context& io) {
  return std::make_shared<OutboxTransport>(*this, io);
}

}  // namespace weft::api
