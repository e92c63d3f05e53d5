// down-does-not-reverse: what the up creates (tables, indexes, types, views,
// columns on existing tables, renames) must be undone by the down, or a
// rollback followed by a re-run fails on "already exists".
#include "lint/rule.h"

namespace dbroll::lint {
namespace {
bool Dropped(const ScriptFacts& down, const Op& made) {
  for (const auto& st : down.statements) {
    for (const auto& op : st.ops) {
      switch (made.kind) {
        case OpKind::kCreateTable:
          if (op.kind == OpKind::kDropTable && op.table == made.table) return true;
          if (op.kind == OpKind::kRenameTable && op.table == made.table) return true;
          break;
        case OpKind::kCreateIndex:
          if (op.kind == OpKind::kDropIndex && op.name == made.name) return true;
          if (op.kind == OpKind::kDropTable && op.table == made.table) return true;
          break;
        case OpKind::kAddColumn:
          if (op.kind == OpKind::kDropColumn && op.table == made.table && op.name == made.name) return true;
          if (op.kind == OpKind::kDropTable && op.table == made.table) return true;
          break;
        case OpKind::kCreateType:
          if (op.kind == OpKind::kDropType && op.table == made.table) return true;
          break;
        case OpKind::kCreateSchema:
        case OpKind::kCreateDatabase:
          if ((op.kind == OpKind::kDropSchema || op.kind == OpKind::kDropDatabase) && op.table == made.table) return true;
          break;
        case OpKind::kCreateObject:
          if (op.kind == OpKind::kDropObject && op.table == made.table) return true;
          if (made.object_type == "trigger" && op.kind == OpKind::kDropTable) return true;
          break;
        case OpKind::kRenameColumn:
          if (op.kind == OpKind::kRenameColumn && op.table == made.table && op.name == made.new_name) return true;
          break;
        case OpKind::kRenameTable:
          if (op.kind == OpKind::kRenameTable && op.table == made.new_name) return true;
          break;
        default:
          return true;
      }
    }
  }
  return false;
}
void Check(const RuleContext& ctx) {
  const MigrationFacts& m = ctx.migration;
  if (!m.has_down || m.down.blank || m.down.split_failed) return;
  for (const auto& st : m.down.statements) {
    if (!st.parsed) return;  // cannot tell what an unparsed statement undoes
  }
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    switch (op.kind) {
      case OpKind::kCreateTable: case OpKind::kCreateIndex: case OpKind::kCreateType:
      case OpKind::kCreateSchema: case OpKind::kCreateDatabase: case OpKind::kCreateObject:
      case OpKind::kRenameColumn: case OpKind::kRenameTable:
        break;
      case OpKind::kAddColumn:
        if (CreatedHere(st, op)) return;
        break;
      default:
        return;
    }
    if (op.kind == OpKind::kCreateObject && op.object_type == "extension") return;
    if (op.kind == OpKind::kCreateTable && IsTableRebuildTarget(s, op)) return;
    if (Dropped(m.down, op)) return;
    const bool rename = op.kind == OpKind::kRenameColumn || op.kind == OpKind::kRenameTable;
    ctx.Report(s, st, op, (rename ? "the rename of " : "") + Describe(op) + (rename ? " is not reverted" : " is not dropped") +
                              " by " + m.down.script->path,
               rename ? "rename it back in the down" : "drop it in the down, in the reverse order of the up");
  });
}
}  // namespace
extern const Rule kDownDoesNotReverseRule = {"down-does-not-reverse", Severity::kError,
                                             "The down leaves something the up created", Check};
}  // namespace dbroll::lint
