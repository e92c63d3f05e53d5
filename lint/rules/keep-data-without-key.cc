// keep-data-without-key: keep-data restores archived values by primary key
// (or a unique key on NOT NULL columns), so a table the migrations created
// without either cannot be kept.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (DeclaredIrreversible(ctx.migration)) return;
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (!KeepDataMarks(ctx, s, st, op) || !ctx.schema.keyless.count(op.table) || CreatedHere(st, op)) return;
    ctx.Report(s, st, op,
               "keep-data cannot keep the data of table " + op.table +
                   ": it has no primary key and no unique key on NOT NULL columns, so archived values could not be "
                   "matched back to their rows",
               "add a primary key to " + op.table +
                   " in an earlier migration, or remove the keep-data mark and mark the up "
                   "`-- dbroll:irreversible <reason>`");
  });
}
}  // namespace
extern const Rule kKeepDataWithoutKeyRule = {"keep-data-without-key", Severity::kError,
                                             "keep-data on a table without a primary key or unique NOT NULL key", Check};
}  // namespace dbroll::lint
