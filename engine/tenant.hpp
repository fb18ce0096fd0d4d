// Tenant names: who a run (and what it stores) belongs to. One rule for
// every place a name comes from: API tokens, webhook routes, deliveries.
#pragma once
#include <string_view>

namespace weft::engine {

// 1-64 letters, digits, '-', '_' or '.'.
bool valid_tenant_name(std::string_view name);

}  // namespace weft::engine
