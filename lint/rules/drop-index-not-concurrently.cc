// drop-index-not-concurrently: PostgreSQL DROP INDEX takes an ACCESS
// EXCLUSIVE lock on the table; CONCURRENTLY waits for readers instead.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  ctx.ForEachOp(true, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kDropIndex || op.concurrently) return;
    for (const auto& prev : s.statements) {
      if (&prev == &st) break;
      for (const auto& p : prev.ops) {
        if (p.kind == OpKind::kCreateIndex && p.name == op.name) return;
      }
    }
    ctx.Report(s, st, op, "index " + op.name + " is dropped without CONCURRENTLY: the table is locked against reads and writes",
               "DROP INDEX CONCURRENTLY in a migration marked `-- dbroll:no-transaction`");
  });
}
}  // namespace
extern const Rule kDropIndexNotConcurrentlyRule = {"drop-index-not-concurrently", Severity::kWarning,
                                                   "DROP INDEX without CONCURRENTLY", Check};
}  // namespace dbroll::lint
