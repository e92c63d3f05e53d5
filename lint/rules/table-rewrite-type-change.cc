// table-rewrite-type-change: ALTER COLUMN TYPE rewrites the table under
// ACCESS EXCLUSIVE unless the change is binary-coercible (varchar widening,
// varchar to text).
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
int Length(const std::string& t) {
  const size_t p = t.find('(');
  return p == std::string::npos ? -1 : std::atoi(t.c_str() + p + 1);
}
std::string Base(const std::string& t) { return t.substr(0, t.find('(')); }

bool BinaryCoercible(const std::string& old_type, const std::string& new_type) {
  if (new_type == "text" || new_type == "varchar") {
    return old_type.empty() || Base(old_type) == "varchar" || Base(old_type) == "text" ||
           Base(old_type) == "bpchar";
  }
  if (old_type.empty()) return false;
  if (Base(old_type) == Base(new_type) && (Base(new_type) == "varchar" || Base(new_type) == "numeric")) {
    return Length(new_type) < 0 || Length(new_type) >= Length(old_type);
  }
  return old_type == new_type;
}
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kAlterColumnType, kPostgresLocks, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    std::string old_type;
    auto t = ctx.schema.tables.find(op.table);
    if (t != ctx.schema.tables.end() && t->second.count(op.name)) old_type = t->second.at(op.name);
    if (BinaryCoercible(old_type, op.type)) return;
    ctx.Report(s, st, op, Describe(op) + " changes type to " + op.type +
                              ": the table and its indexes are rewritten under an ACCESS EXCLUSIVE lock",
               "add a new column, backfill it in batches, and switch the app over; widening varchar or "
               "changing varchar to text does not rewrite");
  });
}
}  // namespace
extern const Rule kTableRewriteTypeChangeRule = {"table-rewrite-type-change", Severity::kWarning,
                                                 "A column type change that rewrites the table", Check};
}  // namespace dbroll::lint
