// keep-data: a destructive statement under `-- dbroll:keep-data` loses no
// data -- the engine archives it and the rollback restores it. Said as an
// info line naming the archive, so a reviewer knows where the data goes.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (DeclaredIrreversible(ctx.migration)) return;
  const std::string& version = ctx.migration.migration->version;
  int seq = 0;
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (!KeepDataCovers(ctx, s, st, op) || CreatedHere(st, op)) return;
    const std::string archive = "dbroll_archive_" + version + "_" + std::to_string(++seq);
    if (op.kind == OpKind::kDropTable) {
      // The engine renames a dropped table aside unless something refers to it.
      ctx.Report(s, st, op,
                 Describe(op) + " is renamed aside by keep-data to " + archive +
                     " instead of dropped (copied there when views, foreign keys, triggers or named indexes "
                     "refer to it); dbroll down puts it back after the down, dbroll purge drops it",
                 "");
      return;
    }
    ctx.Report(s, st, op,
               Describe(op) + " is archived by keep-data in " + archive +
                   " before this statement; dbroll down restores it after the down, dbroll purge removes it",
               "");
  });
}
}  // namespace
extern const Rule kKeepDataRule = {"keep-data", Severity::kInfo,
                                   "Where keep-data archives what a destructive statement removes", Check};
}  // namespace dbroll::lint
