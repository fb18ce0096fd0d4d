// The webhook audit writer: deliveries are queued by the io threads and
// written by one background thread, many per transaction, so a delivery's
// answer never waits for its audit record.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/store.hpp"

namespace weft::api {

class DeliveryLog {
 public:
  explicit DeliveryLog(engine::Store& store);
  ~DeliveryLog();  // writes what is still queued
  DeliveryLog(const DeliveryLog&) = delete;
  DeliveryLog& operator=(const DeliveryLog&) = delete;

  void record(engine::WebhookDelivery delivery);
  // Returns once every record queued before the call is in the store.
  void flush();

 private:
  void loop();

  engine::Store& store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable written_;
  std::vector<engine::WebhookDelivery> queue_;
  uint64_t queued_ = 0;   // records ever queued
  uint64_t done_ = 0;     // records ever written (or dropped on a store error)
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace weft::api
