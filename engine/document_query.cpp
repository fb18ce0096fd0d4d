// Query compilation for documents (see document_query.hpp).
#include "engine/document_query.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace weft::engine {
namespace {

void check_field(const std::string& field) {
  bool ok = !field.empty() && field.front() != '.' && field.back() != '.' &&
            field.find("..") == std::string::npos;
  for (char c : field)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.');
  if (!ok) throw std::invalid_argument("store.find: invalid field '" + field + "'");
}

const char* sql_operator(const std::string& op) {
  if (op == "eq") return "=";
  if (op == "ne") return "!=";
  if (op == "lt") return "<";
  if (op == "lte") return "<=";
  if (op == "gt") return ">";
  if (op == "gte") return ">=";
  return nullptr;
}

struct Builder {
  CompiledQuery out;
  int next_parameter;
  std::vector<std::string> equality, membership, range;

  std::string parameter(const nlohmann::json& value) {
    if (value.is_object() || value.is_array())
      throw std::invalid_argument("store.find: compare with strings, numbers, booleans or null");
    out.values.push_back(value);
    return "?" + std::to_string(next_parameter++);
  }

  void add(const std::string& condition) {
    out.where += (out.where.empty() ? "" : " AND ") + condition;
  }

  void condition(const std::string& field, const std::string& op, const nlohmann::json& value) {
    std::string expr = field_expression(field);
    (op == "eq" ? equality : op == "in" ? membership : range).push_back(field);
    if (op == "in") {
      if (!value.is_array() || value.empty())
        throw std::invalid_argument("store.find: '" + field + "' in: expected a non-empty list");
      std::string list;
      for (const auto& item : value) list += (list.empty() ? "" : ", ") + parameter(item);
      add(expr + " IN (" + list + ")");
      return;
    }
    const char* sql = sql_operator(op);
    if (sql == nullptr)
      throw std::invalid_argument("store.find: unknown operator '" + op + "' on '" + field +
                                  "' (eq, ne, lt, lte, gt, gte, in)");
    if (value.is_null()) {
      if (op != "eq" && op != "ne")
        throw std::invalid_argument("store.find: '" + field + "': null only with eq or ne");
      add(expr + (op == "eq" ? " IS NULL" : " IS NOT NULL"));
      return;
    }
    add(expr + " " + sql + " " + parameter(value));
  }
};

}  // namespace

std::string field_expression(const std::string& field) {
  check_field(field);
  return "json_extract(doc, '$." + field + "')";
}

CompiledQuery compile_query(const DocumentQuery& query, int first_parameter) {
  Builder b{{}, first_parameter, {}, {}, {}};
  std::vector<std::string> order_fields;
  if (!query.where.is_object()) throw std::invalid_argument("store.find: where must be a table");
  for (const auto& [field, spec] : query.where.items()) {
    if (spec.is_object()) {
      for (const auto& [op, value] : spec.items()) b.condition(field, op, value);
    } else {
      b.condition(field, "eq", spec);
    }
  }
  for (const auto& entry : query.order) {
    bool descending = !entry.empty() && entry[0] == '-';
    std::string field = descending ? entry.substr(1) : entry;
    order_fields.push_back(field);
    b.out.order_by += (b.out.order_by.empty() ? "" : ", ") + field_expression(field) +
                      (descending ? " DESC" : " ASC");
  }
  for (const auto* group : {&b.equality, &b.membership, &order_fields, &b.range})
    for (const auto& field : *group)
      if (std::find(b.out.index_fields.begin(), b.out.index_fields.end(), field) ==
          b.out.index_fields.end())
        b.out.index_fields.push_back(field);
  return b.out;
}

}  // namespace weft::engine
