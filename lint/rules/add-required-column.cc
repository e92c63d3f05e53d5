// add-required-column: NOT NULL without a default fails on a non-empty table
// and breaks inserts of the app version that does not know the column.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kAddColumn, {}, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (!op.not_null || op.has_default || op.generated) return;
    ctx.Report(s, st, op, Describe(op) + " is added NOT NULL without a default: existing rows and the running app's inserts fail",
               "add it with a DEFAULT, or add it nullable, backfill, then set NOT NULL in a later migration");
  });
}
}  // namespace
extern const Rule kAddRequiredColumnRule = {"add-required-column", Severity::kError,
                                            "A NOT NULL column without a default", Check};
}  // namespace dbroll::lint
