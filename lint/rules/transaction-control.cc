// transaction-control: BEGIN/COMMIT/ROLLBACK inside a migration ends dbroll's
// own transaction, so a later failure cannot be rolled back.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOp(true, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kTransactionControl) return;
    ctx.Report(s, st, op, "transaction control (" + op.name + ") inside a migration breaks dbroll's own transaction",
               "remove it: dbroll wraps each migration in a transaction; use `-- dbroll:no-transaction` to opt out");
  });
}
}  // namespace
extern const Rule kTransactionControlRule = {"transaction-control", Severity::kError,
                                             "BEGIN / COMMIT / ROLLBACK inside a migration", Check};
}  // namespace dbroll::lint
