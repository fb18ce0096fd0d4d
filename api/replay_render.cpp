// Replay reports as text (see replay_render.hpp).
#include "api/replay_render.hpp"

#include <cstdio>
#include <sstream>

#include "engine/json_limits.hpp"

namespace weft::api {
namespace {

constexpr int kContextLines = 2;

std::string call_text(const engine::CallSummary& call) {
  std::string text = call.kind + " '" + call.name + "'";
  text += " at " + (call.location.empty() ? std::string("an unknown place") : call.location);
  if (!call.fingerprint.empty()) text += "  [options " + call.fingerprint + "]";
  return text;
}

std::string short_hash(const std::string& hash) { return hash.substr(0, 12); }

}  // namespace

std::string source_excerpt(const engine::ScriptVersion& version, const std::string& location) {
  auto colon = location.rfind(':');
  if (colon == std::string::npos) return "";
  auto file = version.files.find(location.substr(0, colon));
  if (file == version.files.end()) return "";
  int line = std::atoi(location.c_str() + colon + 1);
  std::istringstream in(file->second);
  std::string text, out;
  for (int at = 1; std::getline(in, text); ++at) {
    if (at < line - kContextLines) continue;
    if (at > line + kContextLines) break;
    char prefix[24];
    std::snprintf(prefix, sizeof prefix, "  %s %4d | ", at == line ? ">" : " ", at);
    out += prefix + text + "\n";
  }
  return out;
}

std::string render_replay(const dsl::ReplayReport& report, const engine::Run& run,
                          const engine::ScriptVersion& recorded,
                          const engine::ScriptVersion& current) {
  std::string out = "run " + run.id + " (" + run.workflow + ", " +
                    std::string(engine::to_string(run.status)) + ") replayed on version " +
                    short_hash(current.hash) +
                    (current.hash == recorded.hash ? " (its own)" : " (recorded on " +
                                                                        short_hash(recorded.hash) + ")") +
                    "\n";
  if (!report.divergence) {
    out += "replayed " + std::to_string(report.replayed) + " durable calls: no divergence\n";
  } else {
    const auto& d = *report.divergence;
    out += "replayed " + std::to_string(report.replayed) +
           " durable calls, then diverged: " + engine::describe(d) + "\n";
    if (d.recorded) {
      out += "  recorded: " + call_text(*d.recorded) + "\n";
      out += source_excerpt(recorded, d.recorded->location);
    } else {
      out += "  recorded: nothing (history has no call there)\n";
    }
    if (d.current) {
      out += "  current:  " + call_text(*d.current) + "\n";
      out += source_excerpt(current, d.current->location);
    } else {
      out += "  current:  nothing (the code ends before this call)\n";
    }
  }
  if (engine::is_finished(run.status)) {
    if (report.outcome.empty())
      out += "the replay stopped before the code ended\n";
    else if (report.result_differs)
      out += "the run ended " + std::string(engine::to_string(run.status)) +
             "; the replayed code ends " + report.outcome + " differently: " +
             engine::dump_json(report.outcome == "completed" ? report.result : report.error) + "\n";
    else
      out += "the replayed code ends as the run did (" + report.outcome + ")\n";
  } else if (report.outcome.empty()) {
    out += "the run is " + std::string(engine::to_string(run.status)) +
           "; the replay reached where it stands\n";
  }
  return out;
}

}  // namespace weft::api
