// Tenant names: who a run (and what it stores) belongs to. One rule for
// every place a name comes from: API tokens, webhook routes, deliveries.
// Design: weft.store, weft.blob and weft.secrets keep a tenant column in
// each key (documents, blobs, secrets tables), so names map to nothing:
// a user's name is stored as given and cannot forge another namespace.
#pragma once
#include <string>
#include <string_view>

namespace weft::engine {

// 1-64 letters, digits, '-', '_' or '.'.
bool valid_tenant_name(std::string_view name);

// The namespace of runs without a tenant and of server-level data (webhook
// verification secrets, the SMTP password, the engine's own collections).
inline const std::string kSharedTenant;

}  // namespace weft::engine
