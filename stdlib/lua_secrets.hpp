// What the executor needs of weft.secrets outside Lua: the values of the
// secrets a workflow declares, loaded once when a run starts on a worker,
// so its Redactor hides them from everything written about the run even
// when the step that read them was replayed, not executed, in this process.
#pragma once
#include "dsl/redact.hpp"
#include "dsl/secret_grants.hpp"
#include "engine/store.hpp"
#include "stdlib/secret_box.hpp"

namespace weft::stdlib {

// A Redactor holding every secret `grants` allows in the namespace of
// `tenant` (engine/tenant.hpp), the only one the run can read (no grants:
// empty, and the store is not read). A secret that cannot be opened is
// left out: no run can read it either. Store errors propagate.
dsl::Redactor declared_secrets(const dsl::SecretGrants& grants, const std::string& tenant,
                               engine::Store& store, const SecretKeys* keys);

}  // namespace weft::stdlib
