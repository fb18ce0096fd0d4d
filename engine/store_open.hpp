// Opens the store a location names. Today every location is a SQLite file
// path; the scale-out store (PostgreSQL) will be chosen here by its URL, so
// callers never name an implementation.
#pragma once
#include <memory>
#include <string>

#include "engine/store.hpp"

namespace weft::engine {

std::unique_ptr<Store> open_store(const std::string& location);

// A throwaway store in the folder `dir` that no crash must survive (weft
// test's): nothing is synced to disk, so it costs no fsync.
std::unique_ptr<Store> open_scratch_store(const std::string& dir);

}  // namespace weft::engine
