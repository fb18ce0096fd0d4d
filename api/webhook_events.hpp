// The `event = function(req)` of webhook routes, called on the HTTP io
// threads: a small pool of sandboxed Lua states, each loading the workflow
// scripts it is asked for, with an instruction and a memory budget per
// call. A state whose call failed is dropped, so a runaway or broken
// mapping never leaves anything behind.
#pragma once
#include <chrono>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/webhook_request.hpp"
#include "dsl/lua_workflow_catalog.hpp"

namespace weft::api {

struct EventLimits {
  int64_t instructions = 10'000'000;  // per call
  int64_t memory = 32ll << 20;        // bytes of growth per call
  size_t states = 4;                  // at most this many calls at once
  std::chrono::milliseconds wall{5'000};  // wall-clock time per call
};

struct EventResult {
  enum class Kind {
    Input,     // `input` is the run's input
    Ignored,   // event returned nil
    Rejected,  // event raised an error (`message`)
    Failed,    // a budget ran out, or the result is not JSON (`message`)
  };
  Kind kind = Kind::Input;
  nlohmann::json input;
  std::string message;
};

class WebhookEvents {
 public:
  explicit WebhookEvents(dsl::LuaWorkflowCatalog& catalog, EventLimits limits = {});
  ~WebhookEvents();

  // Calls the route's `event` with `req` (as a Lua table).
  EventResult call(const engine::WebhookRoute& route, const EventRequest& req);

 private:
  struct Slot;
  std::unique_ptr<Slot> acquire();
  void release(std::unique_ptr<Slot> slot);  // null: the slot was dropped
  EventResult run(Slot& slot, const engine::WebhookRoute& route, const EventRequest& req);

  dsl::LuaWorkflowCatalog& catalog_;
  EventLimits limits_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Slot>> idle_;
  size_t in_use_ = 0;
};

}  // namespace weft::api
