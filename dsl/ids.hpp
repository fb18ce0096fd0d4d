// Random identifiers: UUID v4 text from OpenSSL's generator.
#pragma once
#include <string>

namespace weft::dsl {

std::string new_uuid();
double random_unit();  // uniform in [0, 1)

}  // namespace weft::dsl
