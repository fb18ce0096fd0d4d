// The registry of native modules (see native_modules.hpp).
#include "dsl/native_modules.hpp"

#include "dsl/weft_module.hpp"

namespace weft::dsl {
namespace {

std::vector<NativeModule>& registry() {
  static std::vector<NativeModule> modules = {{"weft", open_weft}};
  return modules;
}

}  // namespace

void register_native_modules(const std::vector<NativeModule>& modules) {
  for (const auto& module : modules)
    if (!find_native_module(module.name)) registry().push_back(module);
}

lua_CFunction find_native_module(const std::string& name) {
  for (const auto& module : registry())
    if (name == module.name) return module.open;
  return nullptr;
}

}  // namespace weft::dsl
