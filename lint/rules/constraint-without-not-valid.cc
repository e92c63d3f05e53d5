// constraint-without-not-valid: adding a CHECK or FOREIGN KEY validates every
// row while blocking writes; NOT VALID + VALIDATE CONSTRAINT does not.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kAddConstraint, kPostgresLocks, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.not_valid || (op.constraint != "check" && op.constraint != "foreign")) return;
    const char* what = op.constraint == "check" ? "CHECK" : "FOREIGN KEY";
    ctx.Report(s, st, op, std::string(what) + " constraint " + (op.name.empty() ? "" : op.name + " ") + "on table " +
                              op.table + " is validated against every row while writes are blocked",
               "ADD CONSTRAINT ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a separate migration");
  });
}
}  // namespace
extern const Rule kConstraintWithoutNotValidRule = {"constraint-without-not-valid", Severity::kError,
                                                    "CHECK / FOREIGN KEY added without NOT VALID", Check};
}  // namespace dbroll::lint
