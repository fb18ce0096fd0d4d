// Reading the webhook delivery audit (records are written by an
// AppendDelivery in a run commit, run_store.hpp). Part of Store (store.hpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/run_store.hpp"

namespace weft::engine {

// Newest first; `before_id` > 0 continues a listing (the cursor).
struct DeliveryFilter {
  std::string route;  // "" = all
  int status = 0;     // 0 = any
  // "" = every delivery; else only those whose run is of this tenant (a
  // delivery that started or found no run belongs to no tenant).
  std::string tenant;
  int64_t before_id = 0;
  int64_t limit = 100;
};

class WebhookDeliveryStore {
 public:
  virtual ~WebhookDeliveryStore() = default;

  // Webhook delivery audit (records are appended by an AppendDelivery write).
  virtual std::vector<WebhookDelivery> list_deliveries(const DeliveryFilter& filter) = 0;
};

}  // namespace weft::engine
