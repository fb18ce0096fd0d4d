// Translates a weft.store query (DocumentQuery) into the WHERE and ORDER BY
// of an SQL statement over JSON documents, with the values to bind. Field
// paths are checked (letters, digits, _ and dots) before they reach SQL.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "engine/store.hpp"

namespace weft::engine {

struct CompiledQuery {
  std::string where;               // "json_extract(doc, '$.status') = ?2 AND …" (may be empty)
  std::string order_by;            // "json_extract(doc, '$.priority') ASC, …" (may be empty)
  std::vector<nlohmann::json> values;  // bound from parameter `first_parameter` on
  // The fields of an index that serves this query shape: equality fields,
  // then `in` fields, then the order, then range fields.
  std::vector<std::string> index_fields;
};

// The SQL expression of a field: json_extract(doc, '$.a.b').
std::string field_expression(const std::string& field);

// Throws std::invalid_argument naming the field or operator at fault.
CompiledQuery compile_query(const DocumentQuery& query, int first_parameter);

}  // namespace weft::engine
