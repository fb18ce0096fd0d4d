// A workflow's code as its runs execute it: the workflow file and every
// module of the workflows folder that file loads, each under its file
// name relative to that folder. A run keeps its version for life, so a
// redrive, a replay or a resume after a restart runs exactly the code the
// run started with, modules included, whatever the folder holds now.
#pragma once
#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace weft::engine {

struct ScriptVersion {
  std::string hash;      // version_hash(*this)
  std::string workflow;  // the workflow's name
  std::string entry;     // the workflow file: "lead_pipeline.lua"
  std::map<std::string, std::string> files;    // file name -> source, the entry's included
  std::map<std::string, std::string> modules;  // module name -> file name ("lead_steps")
  // The folder the version was first loaded from (not part of the hash):
  // where `weft replay --latest` looks for the workflow's current file.
  std::string folder;

  const std::string& entry_source() const;
};

// The hash of a version: of the workflow file's text when it loads no
// module of the folder (what a version was before modules were
// versioned, so those hashes stay valid), else of every file's text.
std::string version_hash(const ScriptVersion& version);

// The modules of a version as stored beside its workflow file:
// {"files": {name: source}, "modules": {module: file}} without the entry;
// "" for a version without modules.
std::string modules_json(const ScriptVersion& version);
// Fills `version`'s modules and their files from modules_json's text.
void read_modules_json(const std::string& text, ScriptVersion& version);

}  // namespace weft::engine
