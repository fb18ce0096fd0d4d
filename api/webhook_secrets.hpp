// The secrets webhook routes verify with, opened once and kept for a few
// seconds: reading and decrypting a secret on every delivery was 4 – 5 %
// of the io threads' work under load. A secret changed with `weft secrets
// set` is used from the next fetch (at most `ttl` later); a missing one is
// never cached, so setting it takes effect at once.
#pragma once
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/store.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::api {

class WebhookSecrets {
 public:
  WebhookSecrets(engine::Store& store, const stdlib::SecretKeys* keys,
                 std::chrono::milliseconds ttl = std::chrono::seconds(5))
      : store_(store), keys_(keys), ttl_(ttl) {}

  // The plaintext; throws ApiError 500 when it is not set or cannot be opened.
  std::string get(const std::string& name);

 private:
  struct Opened {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };

  engine::Store& store_;
  const stdlib::SecretKeys* keys_;
  std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::map<std::string, Opened> opened_;
};

}  // namespace weft::api
