// edited-merged-migration: a migration that exists in the pre-merge base may
// already be applied somewhere; editing it makes environments diverge.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  for (const ScriptFacts* s : {&ctx.migration.up, &ctx.migration.down}) {
    if (!s->script || !ctx.options.edited_since_base.count(s->script->path)) continue;
    ctx.ReportAt(*s->script, 1, 1, s->script->path + " existed in the base and was edited: it may already be applied",
                 "revert the edit and put the change in a new migration");
  }
}
}  // namespace
extern const Rule kEditedMergedMigrationRule = {"edited-merged-migration", Severity::kError,
                                                "A migration already merged was edited", Check};
}  // namespace dbroll::lint
