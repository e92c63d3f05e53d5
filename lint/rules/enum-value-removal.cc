// enum-value-removal: recreating an enum (PostgreSQL type, MySQL ENUM column)
// without a label that existed fails or blanks the rows that hold it.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
std::vector<std::string> Labels(const std::string& type) {
  std::vector<std::string> out;
  for (size_t i = type.find('\''); i != std::string::npos; i = type.find('\'', i + 1)) {
    const size_t e = type.find('\'', i + 1);
    if (e == std::string::npos) break;
    out.push_back(type.substr(i + 1, e - i - 1));
    i = e;
  }
  return out;
}
void Check(const RuleContext& ctx) {
  if (DeclaredIrreversible(ctx.migration)) return;
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    std::vector<std::string> old;
    if (op.kind == OpKind::kCreateType && !op.values.empty()) {
      auto e = ctx.schema.enums.find(op.table);
      if (e != ctx.schema.enums.end()) old = e->second;
    } else if (op.kind == OpKind::kAlterColumnType && !op.values.empty()) {
      auto t = ctx.schema.tables.find(op.table);
      if (t != ctx.schema.tables.end() && t->second.count(op.name)) old = Labels(t->second.at(op.name));
    } else {
      return;
    }
    for (const auto& label : old) {
      bool kept = false;
      for (const auto& v : op.values) kept = kept || v == label;
      if (!kept) {
        ctx.Report(s, st, op, "enum value '" + label + "' of " + (op.kind == OpKind::kCreateType ? "type " + op.table : Describe(op)) + " is removed: rows holding it fail or lose the value",
                   "update the rows that use the value first, and keep the label until no app version writes it");
        return;
      }
    }
  });
}
}  // namespace
extern const Rule kEnumValueRemovalRule = {"enum-value-removal", Severity::kError,
                                           "An enum loses a label that rows may hold", Check};
}  // namespace dbroll::lint
