// The CLI's help, version and option checking, all from the one table of
// subcommands (api/cli_commands.cpp), and docs/cli.md held to that table:
// every command and option documented, no option the table lacks.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "api/cli_commands.hpp"
#include "tests/support/process.hpp"

using weft::api::cli_commands;
using weft::api::CommandSpec;
using weft::testing::run_command;

namespace {

std::string label(const weft::api::CliOption& option) {
  return "--" + option.name + (option.value.empty() ? "" : " " + option.value);
}

std::set<std::string> option_names(const CommandSpec& command) {
  std::set<std::string> names;
  for (const auto& option : command.options) names.insert(option.name);
  return names;
}

// The `--name`s mentioned in `text`.
std::set<std::string> mentioned_options(const std::string& text) {
  static const std::regex option(R"((^|[^A-Za-z0-9-])--([a-z][a-z0-9-]*))");
  std::set<std::string> names;
  for (std::sregex_iterator it(text.begin(), text.end(), option), end; it != end; ++it)
    names.insert((*it)[2]);
  return names;
}

// docs/cli.md cut at its `## ` headings: "weft NAME" sections by NAME, the
// others under "". `synopsis` is a section's first fenced block.
struct DocSection {
  std::string text;
  std::string synopsis;
};

std::map<std::string, DocSection> cli_doc_sections() {
  std::ifstream in(std::string(WEFT_SOURCE_DIR) + "/docs/cli.md");
  REQUIRE(in);
  static const std::regex command_heading(R"(^## weft ([a-z-]+)\s*$)");
  std::map<std::string, DocSection> sections;
  DocSection* section = &sections[""];
  int fences = 0;  // fence lines seen in this section
  std::string line;
  while (std::getline(in, line)) {
    std::smatch match;
    if (line.rfind("## ", 0) == 0) {
      section = &sections[std::regex_match(line, match, command_heading) ? match[1].str() : ""];
      fences = 0;
    }
    if (line.rfind("```", 0) == 0) {
      ++fences;
    } else if (fences == 1) {
      section->synopsis += line + "\n";
    }
    section->text += line + "\n";
  }
  return sections;
}

}  // namespace

TEST_CASE("issue 11: every subcommand's --help and -h print its usage and every option",
          "[e2e][cli][help]") {
  for (const auto& command : cli_commands()) {
    INFO("weft " << command.name);
    auto help = run_command({WEFT_BINARY, command.name, "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.err.empty());
    CHECK_THAT(help.out, Catch::StartsWith("usage: weft " + command.name));
    for (const auto& option : command.options) CHECK_THAT(help.out, Catch::Contains(label(option)));
    CHECK(run_command({WEFT_BINARY, command.name, "-h"}).out == help.out);
    CHECK(run_command({WEFT_BINARY, "help", command.name}).out == help.out);
  }
}

TEST_CASE("issue 11: weft --help and weft help list every subcommand", "[e2e][cli][help]") {
  for (const char* ask : {"--help", "-h", "help"}) {
    auto help = run_command({WEFT_BINARY, ask});
    INFO(ask);
    CHECK(help.exit_code == 0);
    for (const auto& command : cli_commands())
      CHECK_THAT(help.out, Catch::Contains("  " + command.name + " "));
  }
  auto bare = run_command({WEFT_BINARY});
  CHECK(bare.exit_code == 2);
  CHECK_THAT(bare.err, Catch::Contains("usage: weft <command>"));
}

TEST_CASE("issue 11: a bad option is refused with the command's usage on stderr and exit 2",
          "[e2e][cli][help]") {
  for (const auto& command : cli_commands()) {
    INFO("weft " << command.name);
    auto refused = run_command({WEFT_BINARY, command.name, "--bogus"});
    CHECK(refused.exit_code == 2);
    CHECK(refused.out.empty());
    CHECK_THAT(refused.err, Catch::Contains("weft " + command.name + ": unknown option --bogus") &&
                                Catch::Contains("usage: weft " + command.name));
  }
  auto flag = run_command({WEFT_BINARY, "runs", "--json=yes"});
  CHECK(flag.exit_code == 2);
  CHECK_THAT(flag.err, Catch::Contains("option --json takes no value"));
  auto missing = run_command({WEFT_BINARY, "history", "some-run", "--db"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("option --db needs a value"));
}

TEST_CASE("issue 11: weft --version prints the version and the commit", "[e2e][cli][help]") {
  auto version = run_command({WEFT_BINARY, "--version"});
  CHECK(version.exit_code == 0);
  std::regex line("weft " + std::regex_replace(WEFT_VERSION, std::regex(R"(\.)"), R"(\.)") +
                  R"( \(([0-9a-f]{7,40}|unknown)\)\n)");
  INFO(version.out);
  CHECK(std::regex_match(version.out, line));
}

TEST_CASE("issue 11: docs/cli.md documents every subcommand and option, and no other",
          "[e2e][cli][help][docs]") {
  auto sections = cli_doc_sections();
  std::set<std::string> all_options{"help", "version"};
  for (const auto& command : cli_commands()) {
    INFO("## weft " << command.name);
    REQUIRE(sections.count(command.name) == 1);
    const DocSection& section = sections[command.name];
    auto documented = mentioned_options(section.synopsis);
    documented.erase("help");
    CHECK(documented == option_names(command));  // the synopsis lists exactly the options
    for (const auto& option : command.options) {
      INFO(label(option));
      CHECK_THAT(section.synopsis, Catch::Contains(option.value.empty() ? "[" + label(option) + "]"
                                                                        : label(option)));
      all_options.insert(option.name);
    }
    for (const auto& name : mentioned_options(section.text)) {
      INFO("--" << name << " in the section");
      CHECK((name == "help" || option_names(command).count(name)));
    }
  }
  for (const auto& [name, section] : sections) {
    INFO("## weft " << name);
    CHECK((name.empty() || weft::api::find_command(name)));
  }
  for (const auto& name : mentioned_options(sections[""].text)) {
    INFO("--" << name << " outside the command sections");
    CHECK(all_options.count(name));
  }
}
