// weft test --junit FILE: the results as JUnit XML, the report format CI
// systems read (one <testsuite> per test file).
#pragma once
#include <string>
#include <vector>

#include "api/test_runner.hpp"

namespace weft::api {

std::string junit_xml(const std::vector<TestResult>& results);

}  // namespace weft::api
