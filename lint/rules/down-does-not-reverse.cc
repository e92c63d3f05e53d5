// down-does-not-reverse: what the up creates (tables, indexes, types, views,
// columns on existing tables, renames) must be undone by the down, or a
// rollback followed by a re-run fails on "already exists".
#include "lint/rule.h"

#include <map>
#include <set>
#include <vector>

namespace dbroll::lint {
namespace {
// What the down undoes, as keys, built once so the check is linear.
std::set<std::string> Undone(const ScriptFacts& down) {
  std::set<std::string> k;
  for (const auto& st : down.statements) {
    for (const auto& op : st.ops) {
      switch (op.kind) {
        case OpKind::kDropTable: k.insert("table:" + op.table); k.insert("any-table-dropped"); break;
        case OpKind::kRenameTable: k.insert("table:" + op.table); k.insert("rename-table:" + op.table); break;
        case OpKind::kDropIndex: k.insert("index:" + op.name); break;
        case OpKind::kDropColumn: k.insert("column:" + op.table + "." + op.name); break;
        case OpKind::kDropType: k.insert("type:" + op.table); break;
        case OpKind::kDropSchema: case OpKind::kDropDatabase: k.insert("schema:" + op.table); break;
        case OpKind::kDropObject: k.insert("object:" + op.table); break;
        case OpKind::kRenameColumn: k.insert("rename-column:" + op.table + "." + op.name); break;
        default: break;
      }
    }
  }
  return k;
}
bool Dropped(const std::set<std::string>& undone, const Op& made) {
  auto has = [&](const std::string& key) { return undone.count(key) > 0; };
  switch (made.kind) {
    case OpKind::kCreateTable: return has("table:" + made.table);
    case OpKind::kCreateIndex: return has("index:" + made.name) || has("table:" + made.table);
    case OpKind::kAddColumn: return has("column:" + made.table + "." + made.name) || has("table:" + made.table);
    case OpKind::kCreateType: return has("type:" + made.table);
    case OpKind::kCreateSchema: case OpKind::kCreateDatabase: return has("schema:" + made.table);
    case OpKind::kCreateObject:
      return has("object:" + made.table) || (made.object_type == "trigger" && has("any-table-dropped"));
    case OpKind::kRenameColumn: return has("rename-column:" + made.table + "." + made.new_name);
    case OpKind::kRenameTable: return has("rename-table:" + made.new_name);
    default: return true;
  }
}
bool IdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}
// `word` (lower-case) occurs in `text` as a whole identifier, from `from` on.
bool MentionsWord(const std::string& text, const std::string& word, size_t from = 0) {
  if (word.empty()) return false;
  const std::string t = Lower(text);
  for (size_t p = t.find(word, from); p != std::string::npos; p = t.find(word, p + 1)) {
    const bool before = p == 0 || !IdentChar(t[p - 1]);
    const bool after = p + word.size() >= t.size() || !IdentChar(t[p + word.size()]);
    if (before && after) return true;
  }
  return false;
}
// What goes away with something the down drops: objects dropped with CASCADE
// take what depends on them (a view over a view), a dropped column takes the
// indexes on it.
struct Implied {
  std::vector<std::string> cascaded;                          // names dropped with CASCADE
  std::map<std::string, std::vector<std::string>> columns;    // table -> dropped columns
};
Implied ImpliedDrops(const ScriptFacts& down) {
  Implied i;
  for (const auto& st : down.statements) {
    for (const auto& op : st.ops) {
      if (op.cascade && (op.kind == OpKind::kDropObject || op.kind == OpKind::kDropTable ||
                         op.kind == OpKind::kDropType)) {
        i.cascaded.push_back(op.table);
      }
      if (op.kind == OpKind::kDropColumn) i.columns[op.table].push_back(op.name);
    }
  }
  return i;
}
bool GoesWith(const Implied& implied, const StatementFacts& st, const Op& made) {
  if (made.kind == OpKind::kCreateObject || made.kind == OpKind::kCreateIndex) {
    for (const auto& name : implied.cascaded) {
      if (name != made.table && MentionsWord(st.stmt.text, name)) return true;
    }
  }
  if (made.kind == OpKind::kCreateIndex) {
    auto cols = implied.columns.find(made.table);
    const size_t paren = st.stmt.text.find('(');
    if (cols != implied.columns.end() && paren != std::string::npos) {
      for (const auto& c : cols->second) {
        if (MentionsWord(st.stmt.text, c, paren)) return true;
      }
    }
  }
  return false;
}
// The rename at the end of a table rebuild (create new, copy, drop old,
// rename new to old): the down undoes it by rebuilding or dropping the table.
bool IsRebuildRename(const ScriptFacts& s, const Op& op) {
  if (op.kind != OpKind::kRenameTable) return false;
  bool created = false, dropped = false;
  for (const auto& st : s.statements) {
    for (const auto& o : st.ops) {
      created = created || (o.kind == OpKind::kCreateTable && o.table == op.table);
      dropped = dropped || (o.kind == OpKind::kDropTable && o.table == op.new_name);
    }
  }
  return created && dropped;
}
void Check(const RuleContext& ctx) {
  const MigrationFacts& m = ctx.migration;
  if (!m.has_down || m.down.blank || m.down.split_failed) return;
  for (const auto& st : m.down.statements) {
    if (!st.parsed) return;  // cannot tell what an unparsed statement undoes
  }
  const std::set<std::string> undone = Undone(m.down);
  const Implied implied = ImpliedDrops(m.down);
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
    if (Dropped(undone, op) || GoesWith(implied, st, op)) return;
    if (IsRebuildRename(s, op) && undone.count("table:" + op.new_name)) return;
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
