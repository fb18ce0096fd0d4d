// weft test's email: what runs send through weft.email is accepted and
// recorded here, never sent; t:emails() reads it back. t:mock_email can
// make the next sends fail with a given error (an SMTP 4xx, say), to
// test a workflow's retries. Shared by the test's thread and the worker.
#pragma once
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "stdlib/email_transport.hpp"

namespace weft::api {

class EmailOutbox {
 public:
  // The next `times` sends fail with `failure` (not recorded as sent).
  void fail_next(stdlib::EmailOutcome failure, int64_t times);
  // The sends it accepted, in order.
  std::vector<stdlib::OutgoingEmail> sent() const;
  // Records a send and returns its outcome.
  stdlib::EmailOutcome take(const stdlib::OutgoingEmail& email);

  // The transport a worker's runs use: outcomes are delivered on `io`.
  std::shared_ptr<stdlib::EmailTransport> transport(boost::asio::io_context& io);

 private:
  struct Failure {
    stdlib::EmailOutcome outcome;
    int64_t times_left;
  };
  mutable std::mutex mutex_;
  std::vector<Failure> failures_;
  std::vector<stdlib::OutgoingEmail> sent_;
};

}  // namespace weft::api
