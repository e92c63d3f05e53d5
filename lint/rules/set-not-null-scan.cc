// set-not-null-scan: SET NOT NULL scans the whole table under ACCESS
// EXCLUSIVE; from PostgreSQL 12 a validated CHECK constraint lets it skip the scan.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  ctx.ForEachOp(true, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kSetNotNull || CreatedHere(st, op)) return;
    const bool pg12 = ctx.target.major >= 12;
    ctx.Report(s, st, op, Describe(op) + " SET NOT NULL scans the whole table while holding an ACCESS EXCLUSIVE lock",
               pg12 ? "ADD CONSTRAINT ... CHECK (" + op.name + " IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT; then "
                      "SET NOT NULL (no scan) and drop the check"
                    : "keep a CHECK (" + op.name + " IS NOT NULL) NOT VALID constraint and VALIDATE it instead "
                      "(PostgreSQL before 12 always scans)");
  });
}
}  // namespace
extern const Rule kSetNotNullScanRule = {"set-not-null-scan", Severity::kWarning,
                                         "SET NOT NULL on an existing table scans it under lock", Check};
}  // namespace dbroll::lint
