// drop-not-null: the new app may write NULLs that the old app, still running,
// does not expect when it reads.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  ctx.ForEachOpOf(OpKind::kDropNotNull, {}, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    ctx.Report(s, st, op, Describe(op) + " becomes nullable: the app version still running may not handle NULL",
               "make every running app version handle NULL before dropping the constraint");
  });
}
}  // namespace
extern const Rule kDropNotNullRule = {"drop-not-null", Severity::kWarning,
                                      "Dropping NOT NULL while old app versions read the column", Check};
}  // namespace dbroll::lint
