// Which code of the workflows folder `require` finds in an environment.
//
// A run's environment is bound to its script version (engine/
// script_version.hpp): `require` finds the folder's modules in that
// version only, never on disk, so the run executes the code it started
// with. An environment bound to no version (loading a file to validate
// it, tools) reads the folder, and the state records every module read,
// which is how a version learns its modules.
#pragma once
#include <lua.hpp>

#include <map>
#include <string>

#include "engine/script_version.hpp"

namespace weft::dsl {

// Makes `version`'s files known to this state (once per hash).
void register_version(lua_State* L, const engine::ScriptVersion& version);
bool version_registered(lua_State* L, const std::string& hash);

// From now on `require` in the environment at `env` finds folder modules
// in the registered version `hash` only.
void bind_to_version(lua_State* L, int env, const std::string& hash);

// A folder module as `require` found it.
struct ModuleFile {
  std::string file;    // relative to the workflows folder: "providers/salesforce.lua"
  std::string source;
};

// Pushes the loader of folder module `name` for the environment at `env`
// and its origin (returns true), or pushes why there is none (false):
// from the environment's version, or else from the folder (recorded).
bool push_folder_module(lua_State* L, const std::string& name, int env,
                        const std::string& workflows_dir);

// The folder modules this state read from disk, by module name.
std::map<std::string, ModuleFile> folder_modules_read(lua_State* L);

}  // namespace weft::dsl
