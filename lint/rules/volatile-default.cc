// volatile-default: a column default that differs per row (random(), now()
// on PostgreSQL < 11 any default, identity columns) rewrites the table under lock.
#include "lint/rule.h"

#include <set>
#include <utility>
#include <vector>

namespace dbroll::lint {
namespace {
// Functions created in a script, with the statement index, in order.
std::vector<std::pair<int, const Op*>> FunctionsCreated(const ScriptFacts& s) {
  std::vector<std::pair<int, const Op*>> out;
  for (const auto& st : s.statements) {
    for (const auto& op : st.ops) {
      if (op.kind == OpKind::kCreateObject && op.object_type == "function") out.emplace_back(st.index, &op);
    }
  }
  return out;
}
// Whether `f` is VOLATILE at statement `before`: declared so by an earlier
// migration or earlier in this script (the last definition wins).
bool IsVolatile(const std::string& f, int before, const std::vector<std::pair<int, const Op*>>& here,
                const std::set<std::string>& earlier) {
  bool v = earlier.count(f) > 0;
  for (const auto& [index, op] : here) {
    if (index >= before) break;
    if (op->table == f) v = op->name == "volatile";
  }
  return v;
}
void Check(const RuleContext& ctx) {
  if (!ctx.postgres()) return;
  const bool any_default_rewrites = ctx.target.major < 11;
  const auto up_functions = FunctionsCreated(ctx.migration.up);
  const auto down_functions = FunctionsCreated(ctx.migration.down);
  ctx.ForEachOp(true, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != OpKind::kAddColumn || CreatedHere(st, op)) return;
    std::string user_volatile;  // a user function declared VOLATILE that the default calls
    const auto& here = &s == &ctx.migration.up ? up_functions : down_functions;
    if (!op.volatile_default && !op.default_calls.empty() && (!here.empty() || !ctx.schema.volatile_functions.empty())) {
      for (const auto& f : op.default_calls) {
        if (IsVolatile(f, st.index, here, ctx.schema.volatile_functions)) user_volatile = f;
      }
    }
    const bool rewrites = op.volatile_default || !user_volatile.empty() || op.generated ||
                          (any_default_rewrites && op.has_default);
    if (!rewrites) return;
    std::string why = op.generated              ? "a generated/identity value"
                      : op.volatile_default     ? "a volatile default"
                      : !user_volatile.empty()  ? "a volatile default (function " + user_volatile + " is VOLATILE)"
                                                : "a default (PostgreSQL " + std::to_string(ctx.target.major) +
                                                     " rewrites for any default)";
    ctx.Report(s, st, op, Describe(op) + " is added with " + why + ": the whole table is rewritten under an ACCESS EXCLUSIVE lock",
               "add the column without a default, set the default afterwards, and backfill existing rows in batches");
  });
}
}  // namespace
extern const Rule kVolatileDefaultRule = {"volatile-default", Severity::kError,
                                          "ADD COLUMN with a default that rewrites the table", Check};
}  // namespace dbroll::lint
