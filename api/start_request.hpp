// What starting a run over HTTP shares, whether it is POST
// /v1/workflows/{name}/runs or POST /v1/queues/{name}/messages: the start
// options a request gives (Idempotency-Key header, ?delay=, ?priority=,
// the caller's tenant) and the answer once the run is durable.
#pragma once
#include <chrono>
#include <exception>
#include <optional>

#include "api/routes.hpp"
#include "engine/engine.hpp"

namespace weft::api {

// Throws ApiError 400 naming the part at fault.
engine::StartOptions start_options(const RouteCall& call);

// "?wait=30s" or "?wait=30" (seconds), at most 300 s; nullopt when absent.
std::optional<std::chrono::milliseconds> wait_option(const RouteCall& call);

// Starts the run without holding an io thread; answers 201 and the new
// run, 200 and the earlier run for a replayed Idempotency-Key (with
// Idempotent-Replayed: true), or the error; with `wait`, 202 and the run's
// end is awaited first.
HttpResponse deferred_start(const RouteCall& call, const std::string& workflow, nlohmann::json input,
                            engine::StartOptions options,
                            std::optional<std::chrono::milliseconds> wait = std::nullopt);

}  // namespace weft::api
