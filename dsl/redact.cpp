// Secret redaction (see redact.hpp).
// Design: every occurrence of every value is marked in a byte mask first,
// then each maximal marked span becomes one marker, so values that overlap
// or contain each other never leave a piece of either in clear.
#include "dsl/redact.hpp"

#include <cstdio>
#include <cstdint>

#include "dsl/run_context.hpp"
#include "dsl/thread_link.hpp"

namespace weft::dsl {

void Redactor::add(const std::string& name, const std::string& value) {
  if (value.empty()) return;
  for (const auto& secret : secrets_)
    if (secret.name == name && secret.value == value) return;
  secrets_.push_back({name, value});  // an earlier value of `name` stays redacted too
}

std::string Redactor::clean(std::string_view text) const {
  std::vector<uint32_t> cover;  // per byte: 1 + index of the secret covering it, or 0
  for (size_t s = 0; s < secrets_.size(); ++s) {
    const std::string& value = secrets_[s].value;
    for (size_t at = text.find(value); at != std::string_view::npos; at = text.find(value, at + 1)) {
      if (cover.empty()) cover.assign(text.size(), 0);
      for (size_t i = at; i < at + value.size(); ++i)
        if (cover[i] == 0) cover[i] = static_cast<uint32_t>(s + 1);
    }
  }
  if (cover.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (cover[i] == 0) {
      out += text[i++];
      continue;
    }
    out += marker(secrets_[cover[i] - 1].name);
    while (i < text.size() && cover[i] != 0) ++i;
  }
  return out;
}

void Redactor::clean(nlohmann::json& value) const {
  if (secrets_.empty()) return;
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    std::string cleaned = clean(text);
    if (cleaned != text) value = std::move(cleaned);
  } else if (value.is_array()) {
    for (auto& item : value) clean(item);
  } else if (value.is_object()) {
    bool keys_clean = true;
    for (auto& [key, item] : value.items()) {
      clean(item);
      if (keys_clean && clean(key) != key) keys_clean = false;
    }
    if (keys_clean) return;
    nlohmann::json renamed = nlohmann::json::object();
    for (auto& [key, item] : value.items()) renamed[clean(key)] = std::move(item);
    value = std::move(renamed);
  }
}

void Redactor::clean(std::vector<engine::Mutation>& mutations) const {
  if (secrets_.empty()) return;
  for (auto& mutation : mutations) {
    if (auto* insert = std::get_if<engine::InsertRun>(&mutation)) {
      clean(insert->run.input);
    } else if (auto* start = std::get_if<engine::StartRun>(&mutation)) {
      clean(start->run.input);
    } else if (auto* update = std::get_if<engine::UpdateRun>(&mutation)) {
      clean(update->result);
      clean(update->error);
    } else if (auto* put = std::get_if<engine::PutEvent>(&mutation)) {
      clean(put->event.result);
      clean(put->event.error);
    }
  }
}

namespace {

// The `n` strings on top of the stack, joined by tabs, cleaned, to stderr.
// Raises no Lua error: C++ objects live in this frame.
void write_clean_line(lua_State* L, int n, const Redactor& redactor) {
  std::string line;
  for (int i = n; i >= 1; --i) {
    size_t length = 0;
    const char* text = lua_tolstring(L, -i, &length);
    if (i < n) line += '\t';
    line.append(text, length);
  }
  std::string cleaned = "[lua] " + redactor.clean(line) + "\n";
  std::fwrite(cleaned.data(), 1, cleaned.size(), stderr);
}

}  // namespace

bool print_redacted(lua_State* L) {
  RunLink* link = governing_link(L);
  if (link == nullptr || link->run == nullptr || link->run->redactor.empty()) return false;
  int n = lua_gettop(L);
  luaL_checkstack(L, n, "too many arguments to print");
  // __tostring may raise: nothing of this frame needs destroying yet.
  for (int i = 1; i <= n; ++i) luaL_tolstring(L, i, nullptr);
  write_clean_line(L, n, link->run->redactor);
  lua_pop(L, n);
  return true;
}

}  // namespace weft::dsl
