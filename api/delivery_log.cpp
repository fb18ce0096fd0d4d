// The batching audit writer (see delivery_log.hpp).
#include "api/delivery_log.hpp"

#include "engine/log.hpp"

namespace weft::api {

DeliveryLog::DeliveryLog(engine::Store& store) : store_(store), thread_([this] { loop(); }) {}

DeliveryLog::~DeliveryLog() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void DeliveryLog::record(engine::WebhookDelivery delivery) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(delivery));
    ++queued_;
  }
  wake_.notify_one();
}

void DeliveryLog::flush() {
  std::unique_lock lock(mutex_);
  uint64_t target = queued_;
  written_.wait(lock, [&] { return done_ >= target; });
}

void DeliveryLog::loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and all is written
    std::vector<engine::WebhookDelivery> batch;
    batch.swap(queue_);
    uint64_t upto = queued_;
    lock.unlock();
    try {
      store_.put_deliveries(batch);
    } catch (const std::exception& e) {
      log::error("webhook audit records lost", {{"records", batch.size()}, {"error", e.what()}});
    }
    lock.lock();
    done_ = upto;
    written_.notify_all();
  }
}

}  // namespace weft::api
