// add-unique-constraint: UNIQUE / PRIMARY KEY builds its index under an
// ACCESS EXCLUSIVE lock unless it adopts one built concurrently.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kAddConstraint, kPostgresLocks, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.using_index || (op.constraint != "unique" && op.constraint != "primary")) return;
    ctx.Report(s, st, op, std::string(op.constraint == "unique" ? "UNIQUE" : "PRIMARY KEY") + " constraint on table " +
                              op.table + " builds an index while reads and writes are blocked",
               "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX");
  });
}
}  // namespace
extern const Rule kAddUniqueConstraintRule = {"add-unique-constraint", Severity::kError,
                                              "UNIQUE / PRIMARY KEY added without USING INDEX", Check};
}  // namespace dbroll::lint
