// The weft.toml reader (see config_file.hpp): a line-oriented parser with
// a cursor over each line, building nested JSON objects.
#include "api/config_file.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

namespace weft::api {
namespace {

using nlohmann::json;

class LineParser {
 public:
  LineParser(const std::string& line, const std::string& where) : s_(line), where_(where) {}

  [[noreturn]] void fail(const std::string& message) const {
    throw ConfigError(where_ + ": " + message);
  }
  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  bool at_end() {
    skip_space();
    return pos_ >= s_.size() || s_[pos_] == '#';
  }
  bool accept(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c, const char* what) {
    if (!accept(c)) fail(std::string("expected ") + what);
  }

  // A bare key (letters, digits, _ and -) or a quoted one.
  std::string key() {
    skip_space();
    if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) return string();
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' || s_[pos_] == '-'))
      ++pos_;
    if (pos_ == start) fail("expected a key");
    return s_.substr(start, pos_ - start);
  }

  // key or key.key.key
  std::vector<std::string> dotted_key() {
    std::vector<std::string> parts{key()};
    while (accept('.')) parts.push_back(key());
    return parts;
  }

  json value() {
    skip_space();
    if (pos_ >= s_.size()) fail("expected a value");
    char c = s_[pos_];
    if (c == '"' || c == '\'') return string();
    if (c == '{') return inline_table();
    if (s_.compare(pos_, 4, "true") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "false") == 0) {
      pos_ += 5;
      return false;
    }
    return number();
  }

 private:
  std::string string() {
    char quote = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      char c = s_[pos_++];
      if (c == '\\' && quote == '"') {
        if (pos_ >= s_.size()) break;
        char e = s_[pos_++];
        if (e == 'n') out += '\n';
        else if (e == 't') out += '\t';
        else if (e == '"' || e == '\\') out += e;
        else fail(std::string("unknown escape \\") + e);
      } else {
        out += c;
      }
    }
    if (pos_ >= s_.size()) fail("unterminated string");
    ++pos_;
    return out;
  }

  json number() {
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '-' || s_[pos_] == '+' || s_[pos_] == '.' ||
                                s_[pos_] == '_' || s_[pos_] == 'e' || s_[pos_] == 'E'))
      ++pos_;
    std::string text;
    for (size_t i = start; i < pos_; ++i)
      if (s_[i] != '_') text += s_[i];
    if (text.empty()) fail("expected a value (a \"string\", number, true/false or { table })");
    try {
      size_t used = 0;
      if (text.find_first_of(".eE") == std::string::npos) {
        long long n = std::stoll(text, &used);
        if (used == text.size()) return n;
      } else {
        double d = std::stod(text, &used);
        if (used == text.size()) return d;
      }
    } catch (const std::exception&) {
    }
    fail("malformed number '" + text + "'");
  }

  json inline_table() {
    ++pos_;
    json table = json::object();
    if (accept('}')) return table;
    do {
      std::string k = key();
      expect('=', "'=' after the key");
      if (table.contains(k)) fail("duplicate key '" + k + "'");
      table[k] = value();
    } while (accept(','));
    expect('}', "',' or '}' in the inline table");
    return table;
  }

  const std::string& s_;
  const std::string& where_;
  size_t pos_ = 0;
};

// The object at `path` under `root`, created as needed.
json& table_at(json& root, const std::vector<std::string>& path, const LineParser& line) {
  json* node = &root;
  for (const auto& part : path) {
    json& next = (*node)[part];
    if (next.is_null()) next = json::object();
    if (!next.is_object()) line.fail("'" + part + "' is already a value, not a table");
    node = &next;
  }
  return *node;
}

}  // namespace

json parse_config(const std::string& text, const std::string& name) {
  json root = json::object();
  json* section = &root;
  std::istringstream lines(text);
  std::string line;
  for (int number = 1; std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string where = name + ":" + std::to_string(number);
    LineParser p(line, where);
    if (p.at_end()) continue;
    if (p.accept('[')) {
      section = &table_at(root, p.dotted_key(), p);
      p.expect(']', "']' closing the section name");
    } else {
      auto path = p.dotted_key();
      p.expect('=', "'=' after the key");
      std::string last = path.back();
      path.pop_back();
      json& table = table_at(*section, path, p);
      if (table.contains(last)) p.fail("duplicate key '" + last + "'");
      table[last] = p.value();
    }
    if (!p.at_end()) p.fail("unexpected text after the value");
  }
  return root;
}

json read_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the configuration file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace weft::api
