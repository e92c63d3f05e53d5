// reindex-not-concurrently: plain REINDEX locks the table against writes, and
// queries that would use the index, until the rebuild ends.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kReindex, {.with_down = true, .postgres_only = true, .skip_created_here = false}, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.concurrently) return;
    ctx.Report(s, st, op,
               "REINDEX of " + op.object_type + " " + op.table +
                   " runs without CONCURRENTLY: writes to the table, and queries using the index, block until it "
                   "finishes",
               "REINDEX ... CONCURRENTLY (PostgreSQL 12+) in a migration marked `-- dbroll:no-transaction`");
  });
}
}  // namespace
extern const Rule kReindexNotConcurrentlyRule = {"reindex-not-concurrently", Severity::kError,
                                                 "REINDEX without CONCURRENTLY (PostgreSQL)", Check};
}  // namespace dbroll::lint
