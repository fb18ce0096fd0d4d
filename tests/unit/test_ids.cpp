// Run ids and ctx:uuid(): format, version bits, time order and uniqueness.
#include <catch2/catch.hpp>

#include <regex>
#include <set>
#include <string>

#include "engine/ids.hpp"

using namespace weft::engine;

TEST_CASE("new_uuid is a version 4 UUID in lower-case text", "[ids]") {
  const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 100; ++i) CHECK(std::regex_match(new_uuid(), v4));
}

TEST_CASE("new_time_ordered_uuid carries the time first and sorts by it", "[ids]") {
  const std::regex v7("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const int64_t ms = 0x0192'3456'789a;  // 2024-09-…, any instant will do
  std::string id = new_time_ordered_uuid(ms);
  CHECK(std::regex_match(id, v7));
  CHECK(id.substr(0, 13) == "01923456-789a");
  CHECK(new_time_ordered_uuid(ms) < new_time_ordered_uuid(ms + 1));
}

TEST_CASE("ids drawn across many buffers of randomness never repeat", "[ids]") {
  // 10,000 ids take 100 KiB of random bytes: many refills of the buffer.
  std::set<std::string> seen;
  for (int i = 0; i < 5'000; ++i) {
    seen.insert(new_uuid());
    seen.insert(new_time_ordered_uuid(1'700'000'000'000));
  }
  CHECK(seen.size() == 10'000);
}

TEST_CASE("random_unit stays between 0 (included) and 1 (excluded) and spreads over them", "[ids]") {
  int low = 0, high = 0;
  for (int i = 0; i < 10'000; ++i) {
    double x = random_unit();
    REQUIRE(x >= 0.0);
    REQUIRE(x < 1.0);
    (x < 0.5 ? low : high)++;
  }
  CHECK(low > 4'000);  // a fair coin lands within these bounds but for ~1e-89
  CHECK(high > 4'000);
}
