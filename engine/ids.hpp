// Random identifiers: UUID text and random numbers from OpenSSL's generator.
#pragma once
#include <cstdint>
#include <string>

namespace weft::engine {

std::string new_uuid();
// UUID v7 (RFC 9562): the first 48 bits are the Unix time in ms, so ids
// made close in time sort close together. Run ids use it: rows of new runs
// and their history land on the same few B-tree pages, so a commit writes
// a few pages instead of one per run.
std::string new_time_ordered_uuid(int64_t unix_ms);
double random_unit();  // uniform in [0, 1)

}  // namespace weft::engine
