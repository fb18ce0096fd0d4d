// Divergences (see divergence.hpp).
#include "engine/divergence.hpp"

namespace weft::engine {
namespace {

nlohmann::json call_json(const std::optional<CallSummary>& call) {
  if (!call) return nullptr;
  return {{"kind", call->kind},
          {"name", call->name},
          {"location", call->location.empty() ? nlohmann::json() : nlohmann::json(call->location)},
          {"fingerprint", call->fingerprint.empty() ? nlohmann::json() : nlohmann::json(call->fingerprint)}};
}

std::string call_text(const CallSummary& call) {
  return call.kind + " '" + call.name + "' (" + (call.location.empty() ? "?" : call.location) + ")";
}

}  // namespace

CallSummary summarize(const HistoryEvent& event) {
  return {std::string(to_string(event.kind)), event.name, event.location, event.fingerprint};
}

nlohmann::json position_json(const Divergence& divergence) {
  if (divergence.path.find('/') != std::string::npos) return divergence.path;  // in a branch
  return divergence.seq;
}

nlohmann::json to_json(const Divergence& divergence) {
  return {{"position", position_json(divergence)},
          {"recorded", call_json(divergence.recorded)},
          {"current", call_json(divergence.current)}};
}

std::string describe(const Divergence& divergence) {
  bool in_branch = divergence.path.find('/') != std::string::npos;
  std::string at = "at position " + (in_branch ? divergence.path : std::to_string(divergence.seq));
  std::string recorded = divergence.recorded ? "history has " + call_text(*divergence.recorded)
                                             : "history has no call";
  std::string current = divergence.current ? "the code now calls " + call_text(*divergence.current)
                                           : "the code now ends before it";
  return at + ": " + recorded + ", " + current;
}

}  // namespace weft::engine
