// drop-index-not-concurrently: PostgreSQL DROP INDEX takes an ACCESS
// EXCLUSIVE lock on the table; CONCURRENTLY waits for readers instead.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  const OpScope scope = {.with_down = true, .postgres_only = true, .skip_created_here = false};
  ctx.ForEachOpOf(OpKind::kDropIndex, scope, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.concurrently) return;
    if (EarlierOp(s, st, [&](const Op& p) { return p.kind == OpKind::kCreateIndex && p.name == op.name; })) return;
    ctx.Report(s, st, op, "index " + op.name + " is dropped without CONCURRENTLY: the table is locked against reads and writes",
               "DROP INDEX CONCURRENTLY in a migration marked `-- dbroll:no-transaction`");
  });
}
}  // namespace
extern const Rule kDropIndexNotConcurrentlyRule = {"drop-index-not-concurrently", Severity::kWarning,
                                                   "DROP INDEX without CONCURRENTLY", Check};
}  // namespace dbroll::lint
