// prefer-text-field: varchar(n) on PostgreSQL stores the same as text, but
// changing n later is an ALTER TABLE under an ACCESS EXCLUSIVE lock.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  ForEachColumnType(ctx, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op, const std::string& column,
                             const std::string& type, bool) {
    if (type.rfind("varchar(", 0) != 0) return;
    ctx.Report(s, st, op,
               "column " + op.table + "." + column + " is " + type +
                   ": changing the limit later takes an ACCESS EXCLUSIVE lock on the table",
               "use text, with CHECK (char_length(" + column + ") <= N) if the limit matters (a CHECK can be "
               "replaced NOT VALID without a long lock)");
  });
}
}  // namespace
extern const Rule kPreferTextFieldRule = {"prefer-text-field", Severity::kWarning,
                                          "varchar(n) instead of text (PostgreSQL)", Check};
}  // namespace dbroll::lint
