// column-type-change: a type change that can lose data (narrowing lengths or
// ranges). The old type comes from earlier migrations when they were linted.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kAlterColumnType, kDataLossInUp, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.type.empty()) return;
    std::string old_type;
    auto t = ctx.schema.tables.find(op.table);
    if (t != ctx.schema.tables.end()) {
      auto c = t->second.find(op.name);
      if (c != t->second.end()) old_type = c->second;
    }
    if (!LossyTypeChange(old_type, op.type)) return;
    ctx.Report(s, st, op,
               Describe(op) + " changes type " + (old_type.empty() ? "" : "from " + old_type + " ") + "to " +
                   op.type + ", which can truncate or reject existing values",
               "add a new column of the new type, backfill and verify it, then switch the app over");
  });
}
}  // namespace
extern const Rule kColumnTypeChangeRule = {"column-type-change", Severity::kError,
                                           "A column type change that can lose data", Check};
}  // namespace dbroll::lint
