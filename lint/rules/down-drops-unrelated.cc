// down-drops-unrelated: a down that drops something the up never touched
// destroys data on rollback that the migration did not create.
#include "lint/rule.h"

#include <set>

namespace dbroll::lint {
namespace {
void Check(const RuleContext& ctx) {
  const MigrationFacts& m = ctx.migration;
  if (!m.has_down || m.up.split_failed) return;
  std::set<std::string> touched;
  for (const auto& st : m.up.statements) {
    if (!st.parsed) return;
    for (const auto& op : st.ops) {
      touched.insert(op.table);
      touched.insert(op.new_name);
      if (!op.name.empty()) touched.insert(op.table + "." + op.name);
      if (op.kind == OpKind::kCreateIndex) touched.insert(op.name);
    }
  }
  for (const auto& st : m.down.statements) {
    for (const auto& op : st.ops) {
      std::string key;
      if (op.kind == OpKind::kDropTable || op.kind == OpKind::kDropType || op.kind == OpKind::kDropSchema ||
          op.kind == OpKind::kDropDatabase || op.kind == OpKind::kDropObject) {
        key = op.table;
      } else if (op.kind == OpKind::kDropColumn) {
        key = op.table + "." + op.name;
      } else if (op.kind == OpKind::kDropIndex) {
        key = op.name;
      } else {
        continue;
      }
      if (touched.count(key)) continue;
      ctx.Report(m.down, st, op, "down drops " + Describe(op) + ", which the up does not create",
                 "drop only what the up created; remove this statement or move it to its own migration");
    }
  }
}
}  // namespace
extern const Rule kDownDropsUnrelatedRule = {"down-drops-unrelated", Severity::kWarning,
                                             "The down drops something the up did not create", Check};
}  // namespace dbroll::lint
