// Lease owners: each process leases the runs it executes under an owner id
// "host:pid:nonce". A lease lapses at its expiry; a lease held by a process
// of this host that no longer exists is broken at once, so a restart after
// a crash resumes its runs without waiting for the expiry.
#pragma once
#include <string>

namespace weft::engine {

std::string make_owner_id();

// True when `owner` names a process of this host that is gone.
bool owner_is_dead(const std::string& owner);

}  // namespace weft::engine
