// volatile-default: a column default that differs per row (random(), now()
// on PostgreSQL < 11 any default, identity columns) rewrites the table under lock.
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  const bool any_default_rewrites = ctx.target.major < 11;
  ctx.ForEachOp(true, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kAddColumn || CreatedHere(st, op)) return;
    const bool rewrites = op.volatile_default || op.generated || (any_default_rewrites && op.has_default);
    if (!rewrites) return;
    std::string why = op.generated ? "a generated/identity value" : op.volatile_default ? "a volatile default"
                                                                  : "a default (PostgreSQL " +
                                                                        std::to_string(ctx.target.major) +
                                                                        " rewrites for any default)";
    ctx.Report(s, st, op, Describe(op) + " is added with " + why + ": the whole table is rewritten under an ACCESS EXCLUSIVE lock",
               "add the column without a default, set the default afterwards, and backfill existing rows in batches");
  });
}
}  // namespace
extern const Rule kVolatileDefaultRule = {"volatile-default", Severity::kError,
                                          "ADD COLUMN with a default that rewrites the table", Check};
}  // namespace dbroll::lint
