// weft debug: a stepper over a recorded run. Each position is one of the
// run's recorded durable calls (in seq order); moving to it — forward or
// back — replays the history from the start up to that call with no side
// effects (dsl/replay_frames.hpp), which is cheap because replay does no
// I/O. Commands come from --commands ("goto 5; locals; print lead.email"),
// else from stdin, one per line (a prompt on a terminal).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "api/candidate_version.hpp"
#include "api/cli_args.hpp"
#include "api/cli_bundle.hpp"
#include "api/commands.hpp"
#include "api/replay_render.hpp"
#include "dsl/replay_frames.hpp"
#include "engine/json_limits.hpp"

namespace weft::api {
namespace {

using nlohmann::json;

const char* kHelp =
    "next | back | goto POSITION | until STEP_NAME | where | locals | print EXPR | history | help | quit";

std::string trim(std::string text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  size_t end = text.find_last_not_of(" \t\r\n");
  return begin == std::string::npos ? "" : text.substr(begin, end - begin + 1);
}

class Debugger {
 public:
  Debugger(engine::RunBundle recorded, engine::ScriptVersion version, bool as_json)
      : recorded_(std::move(recorded)), version_(std::move(version)), as_json_(as_json) {
    for (const auto& event : recorded_.history) {  // the latest event of each call
      if (!calls_.empty() && calls_.back().seq == event.seq)
        calls_.back() = event;
      else
        calls_.push_back(event);
    }
  }

  // Runs one command; false for quit.
  bool run(const std::string& line) {
    std::string command = trim(line), argument;
    auto space = command.find(' ');
    if (space != std::string::npos) {
      argument = trim(command.substr(space + 1));
      command = command.substr(0, space);
    }
    json answer = {{"command", trim(line)}};
    if (command == "quit" || command == "q") return false;
    if (command.empty()) return true;
    if (calls_.empty()) {
      answer["error"] = "the run has no recorded durable calls";
    } else if (command == "next" || command == "n") {
      if (at_ + 1 < calls_.size()) ++at_; else answer["note"] = "at the last recorded call";
      where(answer);
    } else if (command == "back" || command == "b") {
      if (at_ > 0) --at_; else answer["note"] = "at the first recorded call";
      where(answer);
    } else if (command == "goto" || command == "g") {
      auto index = find(argument);
      if (!index) answer["error"] = "no recorded call at position '" + argument + "'";
      else { at_ = *index; where(answer); }
    } else if (command == "until" || command == "u") {
      size_t i = at_ + 1;
      while (i < calls_.size() && calls_[i].name != argument) ++i;
      if (i == calls_.size()) answer["error"] = "no later call named '" + argument + "'";
      else { at_ = i; where(answer); }
    } else if (command == "where" || command == "w") {
      where(answer);
    } else if (command == "locals" || command == "l") {
      dsl::Frame frame = frame_here("");
      answer["position"] = position();
      answer["locals"] = frame.locals;
    } else if (command == "print" || command == "p") {
      dsl::Frame frame = frame_here(argument);
      answer["position"] = position();
      if (!frame.reached) answer["error"] = "the replay did not reach this call";
      else if (!frame.error.empty()) answer["error"] = frame.error;
      else answer["value"] = frame.value;
    } else if (command == "history" || command == "h") {
      json list = json::array();
      for (size_t i = 0; i < calls_.size(); ++i) {
        json call = engine::to_json(calls_[i]);
        call["current"] = i == at_;
        list.push_back(std::move(call));
      }
      answer["history"] = std::move(list);
    } else if (command == "help") {
      answer["help"] = kHelp;
    } else {
      answer["error"] = "unknown command '" + command + "' (" + kHelp + ")";
    }
    print(answer);
    return true;
  }

  void finish() {
    if (as_json_) std::cout << engine::dump_json(answers_, 2) << std::endl;
  }

 private:
  std::optional<size_t> find(const std::string& position) const {
    for (size_t i = 0; i < calls_.size(); ++i)
      if (std::to_string(calls_[i].seq) == position || calls_[i].path == position) return i;
    return std::nullopt;
  }

  json position() const {
    return {{"seq", calls_[at_].seq}, {"path", calls_[at_].path}, {"index", at_ + 1},
            {"of", calls_.size()}};
  }

  dsl::Frame frame_here(const std::string& expression) {
    return dsl::frame_at(replayer_, recorded_.run, recorded_.history, version_, calls_[at_].seq, expression);
  }

  void where(json& answer) {
    dsl::Frame frame = frame_here("");
    answer["position"] = position();
    answer["call"] = engine::to_json(calls_[at_]);
    answer["location"] = frame.reached ? json(frame.location) : json();
    if (!frame.reached) answer["note"] = "the replay diverged or ended before this call";
  }

  void print(const json& answer) {
    if (as_json_) {
      answers_.push_back(answer);
      return;
    }
    std::string out = "(weft) " + answer["command"].get<std::string>() + "\n";
    if (answer.contains("call")) {
      const json& call = answer["call"];
      out += "position " + std::to_string(answer["position"]["index"].get<size_t>()) + "/" +
             std::to_string(calls_.size()) + " (seq " + std::to_string(call["seq"].get<int64_t>()) +
             ", path " + call["path"].get<std::string>() + "): " + call["kind"].get<std::string>() +
             " '" + call["name"].get<std::string>() + "' " + call["status"].get<std::string>() +
             " (attempt " + std::to_string(call["attempt"].get<int>()) + ")\n";
      if (call.contains("error")) out += "  error: " + engine::dump_json(call["error"]) + "\n";
      else if (call.contains("result")) out += "  result: " + engine::dump_json(call["result"]) + "\n";
      if (answer["location"].is_string()) {
        out += "  at " + answer["location"].get<std::string>() + "\n";
        out += source_excerpt(version_, answer["location"]);
      }
    }
    for (const char* key : {"note", "error", "help"})
      if (answer.contains(key)) out += "  " + answer[key].get<std::string>() + "\n";
    if (answer.contains("locals"))
      for (const auto& [name, value] : answer["locals"].items())
        out += "  " + name + " = " + engine::dump_json(value) + "\n";
    if (answer.contains("value")) out += "  " + engine::dump_json(answer["value"]) + "\n";
    if (answer.contains("history"))
      for (const auto& call : answer["history"])
        out += std::string(call["current"] == true ? "  > " : "    ") + std::to_string(call["seq"].get<int64_t>()) +
               "  " + call["kind"].get<std::string>() + " '" + call["name"].get<std::string>() + "' " +
               call["status"].get<std::string>() + "\n";
    std::cout << out << std::flush;
  }

  engine::RunBundle recorded_;
  engine::ScriptVersion version_;
  bool as_json_;
  std::vector<engine::HistoryEvent> calls_;
  size_t at_ = 0;
  dsl::Replayer replayer_;
  json answers_ = json::array();
};

}  // namespace

int cmd_debug(const CliArgs& args) {
  engine::RunBundle recorded = recorded_run(args, "run id (weft debug RUN_ID)");
  engine::ScriptVersion version = candidate_version(args, recorded.run, recorded.version);
  Debugger debugger(std::move(recorded), std::move(version), args.flag("json"));
  if (auto commands = args.get("commands")) {
    std::stringstream list(*commands);
    std::string command;
    while (std::getline(list, command, ';'))
      if (!debugger.run(command)) break;
  } else {
    bool terminal = isatty(STDIN_FILENO);
    if (terminal) std::cout << "weft debug: " << kHelp << "\n(weft) " << std::flush;
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!debugger.run(line)) break;
      if (terminal) std::cout << "(weft) " << std::flush;
    }
  }
  debugger.finish();
  return 0;
}

}  // namespace weft::api
