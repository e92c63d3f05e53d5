// create-index-not-concurrently: PostgreSQL CREATE INDEX blocks writes to the
// table for the whole build; a table created in this migration is empty.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kCreateIndex, kPostgresLocks, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.concurrently) return;
    ctx.Report(s, st, op, "index " + (op.name.empty() ? std::string("on ") : op.name + " on ") + "table " + op.table +
                              " is built without CONCURRENTLY: writes to the table block until it finishes",
               "CREATE INDEX CONCURRENTLY in a migration marked `-- dbroll:no-transaction`");
  });
}
}  // namespace
extern const Rule kCreateIndexNotConcurrentlyRule = {"create-index-not-concurrently", Severity::kError,
                                                     "CREATE INDEX without CONCURRENTLY on an existing table", Check};
}  // namespace dbroll::lint
