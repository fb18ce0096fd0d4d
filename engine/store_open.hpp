// Opens the store a location names. Today every location is a SQLite file
// path; the scale-out store (PostgreSQL) will be chosen here by its URL, so
// callers never name an implementation.
#pragma once
#include <memory>
#include <string>

#include "engine/store.hpp"

namespace weft::engine {

std::unique_ptr<Store> open_store(const std::string& location);

}  // namespace weft::engine
