// Starting a run over HTTP (see start_request.hpp).
#include "api/start_request.hpp"

#include <algorithm>

#include "engine/duration.hpp"
#include "engine/log.hpp"
#include "engine/storage_error.hpp"

namespace weft::api {
namespace {

constexpr int64_t kMaxWaitMs = 300'000;
constexpr int64_t kMaxDelayMs = 366LL * 86'400'000;  // a year and a day
constexpr int64_t kMaxPriority = 1000;

// Idempotency-Key: 1-255 printable ASCII characters.
std::string idempotency_key_of(const ApiRequest& request) {
  auto header = request.headers.find("idempotency-key");
  if (header == request.headers.end()) return "";
  const std::string& key = header->second;
  bool printable = std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x21 && c <= 0x7e; });
  if (key.empty() || key.size() > 255 || !printable)
    throw ApiError(400, "invalid_idempotency_key",
                   "Idempotency-Key must be 1-255 printable ASCII characters without spaces");
  return key;
}

// Seconds ("30") or a duration ("30s", "5m"); -1 when neither.
int64_t duration_ms_of(const std::string& text) {
  try {
    bool digits = !text.empty() && text.size() < 12 && text.find_first_not_of("0123456789") == std::string::npos;
    return digits ? std::stoll(text) * 1000 : engine::parse_duration_ms(text);
  } catch (const std::exception&) {
    return -1;
  }
}

// The answer to a start once it is durable (or has failed).
HttpResponse started_response(const engine::StartResult& started, std::exception_ptr error,
                              std::optional<std::chrono::milliseconds> wait) {
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const engine::IdempotencyConflict& e) {
      return error_response(409, "idempotency_conflict", e.what());
    } catch (const std::invalid_argument& e) {
      return error_response(422, "run_rejected", e.what());
    } catch (const engine::StorageUnavailable& e) {
      log::warn("request failed: storage unavailable", {{"error", e.what()}});
      return storage_unavailable_response();
    } catch (const std::exception& e) {
      log::error("starting a run failed", {{"error", e.what()}});
      return error_response(500, "internal", "internal error");
    }
  }
  HttpResponse response = json_response(started.replayed ? 200 : 201, engine::to_json(started.run));
  if (started.replayed) response.headers["Idempotent-Replayed"] = "true";
  if (wait) {
    response.status = 202;
    response.await = AwaitRun{started.run.id, *wait};
  }
  return response;
}

}  // namespace

engine::StartOptions start_options(const RouteCall& call) {
  engine::StartOptions options;
  options.idempotency_key = idempotency_key_of(call.request);
  options.tenant = call.tenant;
  if (auto delay = call.query("delay")) {
    options.delay_ms = duration_ms_of(*delay);
    if (options.delay_ms < 0 || options.delay_ms > kMaxDelayMs)
      throw ApiError(400, "invalid_delay", "delay must be seconds or a duration like 5m, at most 366d: " + *delay);
  }
  if (auto priority = call.query("priority")) {
    const std::string& text = *priority;
    size_t digits_from = !text.empty() && text[0] == '-' ? 1 : 0;
    bool digits = text.size() > digits_from && text.size() < 6 &&
                  text.find_first_not_of("0123456789", digits_from) == std::string::npos;
    options.priority = digits ? std::stoll(text) : kMaxPriority + 1;
    if (options.priority < -kMaxPriority || options.priority > kMaxPriority)
      throw ApiError(400, "invalid_priority", "priority must be an integer between -1000 and 1000");
  }
  return options;
}

std::optional<std::chrono::milliseconds> wait_option(const RouteCall& call) {
  auto text = call.query("wait");
  if (!text) return std::nullopt;
  int64_t ms = duration_ms_of(*text);
  if (ms < 0 || ms > kMaxWaitMs)
    throw ApiError(400, "invalid_wait", "wait must be seconds or a duration like 30s, at most 300 seconds: " + *text);
  return std::chrono::milliseconds(ms);
}

HttpResponse deferred_start(const RouteCall& call, const std::string& workflow, nlohmann::json input,
                            engine::StartOptions options, std::optional<std::chrono::milliseconds> wait) {
  HttpResponse response;
  response.deferred = [&engine = call.context.engine, workflow, input = std::move(input),
                       options = std::move(options), wait](Reply reply) mutable {
    engine.start_run_async(workflow, std::move(input), options,
                           [reply, wait](const engine::StartResult& started, std::exception_ptr error) {
                             reply(started_response(started, error, wait));
                           });
  };
  return response;
}

}  // namespace weft::api
