#include "lint/rule.h"

#include <algorithm>
#include <cstdlib>

namespace dbroll::lint {

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

void KnownSchema::Apply(const ScriptFacts& script) {
  for (const auto& st : script.statements) {
    for (const auto& op : st.ops) {
      switch (op.kind) {
        case OpKind::kCreateTable: {
          auto& cols = tables[op.table];
          cols.clear();
          for (size_t i = 0; i < op.columns.size(); ++i) cols[op.columns[i]] = op.column_types[i];
          if (op.declares_key || !op.primary_key.empty()) {
            keyless.erase(op.table);
          } else {
            keyless.insert(op.table);
          }
          break;
        }
        case OpKind::kDropTable:
          tables.erase(op.table);
          keyless.erase(op.table);
          break;
        case OpKind::kAddConstraint:
          if (op.constraint == "primary") keyless.erase(op.table);
          break;
        case OpKind::kRenameTable:
          if (tables.count(op.table)) {
            tables[op.new_name] = tables[op.table];
            tables.erase(op.table);
          }
          if (keyless.erase(op.table)) keyless.insert(op.new_name);
          break;
        case OpKind::kAddColumn:
        case OpKind::kAlterColumnType:
          tables[op.table][op.name] = op.type;
          if (!op.primary_key.empty()) keyless.erase(op.table);
          break;
        case OpKind::kDropColumn: tables[op.table].erase(op.name); break;
        case OpKind::kRenameColumn: {
          auto& cols = tables[op.table];
          if (cols.count(op.name)) {
            cols[op.new_name] = cols[op.name];
            cols.erase(op.name);
          }
          break;
        }
        case OpKind::kCreateType:
          if (!op.values.empty()) enums[op.table] = op.values;
          break;
        case OpKind::kAddEnumValue: enums[op.table].push_back(op.new_name); break;
        case OpKind::kCreateObject:
          if (op.object_type == "function") {
            if (op.name == "volatile") {
              volatile_functions.insert(op.table);
            } else {
              volatile_functions.erase(op.table);
            }
          }
          break;
        case OpKind::kDropObject:
          if (op.object_type == "function") volatile_functions.erase(op.table);
          break;
        case OpKind::kRenameEnumValue:
          for (auto& v : enums[op.table]) {
            if (v == op.name) v = op.new_name;
          }
          break;
        default: break;
      }
    }
  }
}

void RuleContext::ForEachScript(const std::function<void(const ScriptFacts&)>& fn) const {
  for (const ScriptFacts* s : {&migration.up, &migration.down}) {
    if (s->script) fn(*s);
  }
}
void RuleContext::ForEachAllow(const std::function<void(const Script&, const Allow&)>& fn) const {
  ForEachScript([&](const ScriptFacts& s) {
    for (const auto& a : s.script->directives.allows) fn(*s.script, a);
  });
}
void RuleContext::ForEachOp(
    bool with_down, const std::function<void(const ScriptFacts&, const StatementFacts&, const Op&)>& fn) const {
  ForEachScript([&](const ScriptFacts& s) {
    if (&s == &migration.down && !with_down) return;
    for (const auto& st : s.statements) {
      for (const auto& op : st.ops) fn(s, st, op);
    }
  });
}
void RuleContext::ForEachOpOf(
    OpKind kind, const OpScope& scope,
    const std::function<void(const ScriptFacts&, const StatementFacts&, const Op&)>& fn) const {
  if (scope.postgres_only && !postgres()) return;
  if (scope.unless_irreversible && DeclaredIrreversible(migration)) return;
  ForEachOp(scope.with_down, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind != kind || (scope.skip_created_here && CreatedHere(st, op))) return;
    if (scope.skip_kept && KeepDataCovers(*this, s, st, op)) return;  // archived and restored: see keep-data
    fn(s, st, op);
  });
}
void RuleContext::ReportStatement(const ScriptFacts& script, const StatementFacts& st, std::string message,
                                  std::string safe) const {
  ReportAt(*script.script, st.stmt.line, st.stmt.column, std::move(message), std::move(safe), st.stmt.line);
}

void RuleContext::Report(const ScriptFacts& script, const StatementFacts& st, const Op& op, std::string message,
                         std::string safe) const {
  ReportAt(*script.script, op.line ? op.line : st.stmt.line, op.line ? op.column : st.stmt.column,
           std::move(message), std::move(safe), st.stmt.line);
}

void RuleContext::ReportAt(const Script& script, int line, int column, std::string message, std::string safe,
                           int statement_line) const {
  RawFinding f;
  f.script = &script;
  f.line = line;
  f.column = column;
  f.statement_line = statement_line;
  f.message = std::move(message);
  f.safe_alternative = std::move(safe);
  out_->push_back(std::move(f));
}

void ReportColumnTypes(const RuleContext& ctx, const std::function<bool(const std::string& type)>& matches,
                       const std::string& what, const std::function<std::string(const std::string& column)>& safe) {
  if (!ctx.postgres()) return;
  ForEachColumnType(ctx, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op, const std::string& column,
                             const std::string& type, bool) {
    if (matches(type)) ctx.Report(s, st, op, "column " + op.table + "." + column + " is " + type + what, safe(column));
  });
}
bool EarlierOp(const ScriptFacts& s, const StatementFacts& st, const std::function<bool(const Op&)>& pred) {
  for (const auto& prev : s.statements) {
    if (&prev == &st) return false;
    for (const auto& p : prev.ops) {
      if (pred(p)) return true;
    }
  }
  return false;
}
void ForEachColumnType(const RuleContext& ctx,
                       const std::function<void(const ScriptFacts&, const StatementFacts&, const Op&,
                                                const std::string&, const std::string&, bool)>& fn) {
  auto in_key = [](const Op& op, const std::string& c) {
    for (const auto& k : op.primary_key) {
      if (k == c) return true;
    }
    return false;
  };
  ctx.ForEachOp(false, [&](const ScriptFacts& s, const StatementFacts& st, const Op& op) {
    if (op.kind == OpKind::kCreateTable) {
      for (size_t i = 0; i < op.columns.size() && i < op.column_types.size(); ++i) {
        fn(s, st, op, op.columns[i], op.column_types[i], in_key(op, op.columns[i]));
      }
    } else if ((op.kind == OpKind::kAddColumn || op.kind == OpKind::kAlterColumnType) && !op.type.empty()) {
      fn(s, st, op, op.name, op.type, in_key(op, op.name));
    }
  });
}

bool DeclaredIrreversible(const MigrationFacts& m) {
  return m.up.script && m.up.script->directives.irreversible.has_value();
}

std::string Describe(const Op& op) {
  switch (op.kind) {
    case OpKind::kAddColumn: case OpKind::kDropColumn: case OpKind::kRenameColumn:
    case OpKind::kAlterColumnType: case OpKind::kSetNotNull: case OpKind::kDropNotNull:
      return "column " + op.table + "." + op.name;
    case OpKind::kCreateIndex: case OpKind::kDropIndex:
      return "index " + op.name;
    case OpKind::kTruncate: case OpKind::kDelete: case OpKind::kUpdate:
      return "rows of table " + op.table;
    default:
      return (op.object_type.empty() ? std::string("object") : op.object_type) + " " + op.table;
  }
}

bool IsTableRebuild(const ScriptFacts& script, const Op& drop, const KnownSchema& schema) {
  // create X (...); copy; DROP old; ALTER TABLE X RENAME TO old
  if (!script.renamed_to.count(drop.table)) return false;
  for (const auto& st : script.statements) {
    for (const auto& op : st.ops) {
      if (op.kind != OpKind::kRenameTable || op.new_name != drop.table) continue;
      for (const auto& st2 : script.statements) {
        for (const auto& c : st2.ops) {
          if (c.kind != OpKind::kCreateTable || c.table != op.table) continue;
          auto known = schema.tables.find(drop.table);
          if (known == schema.tables.end()) return true;
          for (const auto& [col, type] : known->second) {
            bool kept = false;
            for (const auto& n : c.columns) kept = kept || n == col;
            if (!kept) return false;
          }
          return true;
        }
      }
    }
  }
  return false;
}

bool IsTableRebuildTarget(const ScriptFacts& script, const Op& create) {
  if (!script.renamed_from.count(create.table)) return false;
  for (const auto& st : script.statements) {
    for (const auto& op : st.ops) {
      if (op.kind == OpKind::kRenameTable && op.table == create.table) {
        for (const auto& st2 : script.statements) {
          for (const auto& d : st2.ops) {
            if (d.kind == OpKind::kDropTable && d.table == op.new_name) return true;
          }
        }
      }
    }
  }
  return false;
}

namespace {
std::string Base(const std::string& t) {
  std::string b = t.substr(0, t.find('('));
  while (!b.empty() && b.back() == ' ') b.pop_back();
  if (b == "integer" || b == "int") return "int4";
  if (b == "bigint") return "int8";
  if (b == "smallint") return "int2";
  if (b == "character varying") return "varchar";
  return b;
}
int Arg(const std::string& t) {
  const size_t p = t.find('(');
  return p == std::string::npos ? -1 : std::atoi(t.c_str() + p + 1);
}
int IntRank(const std::string& b) {
  if (b == "tinyint") return 1;
  if (b == "int2") return 2;
  if (b == "mediumint") return 3;
  if (b == "int4") return 4;
  if (b == "int8") return 5;
  return 0;
}
}  // namespace

bool LossyTypeChange(const std::string& old_type, const std::string& new_type) {
  const std::string nb = Base(new_type);
  if (nb == "text" || nb == "longtext" || nb == "mediumtext" || nb == "jsonb" || nb == "json") return false;
  if ((nb == "varchar" || nb == "numeric" || nb == "decimal") && Arg(new_type) < 0) return false;
  if (old_type.empty()) {
    // Unknown old type: only types with a bound can cut values off.
    return Arg(new_type) >= 0 || (IntRank(nb) > 0 && IntRank(nb) < 5) || nb == "float4" || nb == "real" ||
           nb == "date" || nb == "bool" || nb == "boolean";
  }
  const std::string ob = Base(old_type);
  if (IntRank(nb) && IntRank(ob)) return IntRank(nb) < IntRank(ob);
  if (ob == nb) return Arg(new_type) >= 0 && Arg(old_type) >= 0 ? Arg(new_type) < Arg(old_type)
                                                               : Arg(new_type) >= 0;
  if ((nb == "varchar" || nb == "char") && (ob == "varchar" || ob == "char" || ob == "bpchar")) {
    return Arg(new_type) < Arg(old_type) || Arg(old_type) < 0;
  }
  if ((nb == "numeric" || nb == "decimal") && IntRank(ob)) return Arg(new_type) >= 0 && Arg(new_type) < 19;
  if (nb == "int8" && (ob == "int4" || ob == "int2")) return false;
  return true;
}

bool IsDataLoss(const Op& op) {
  switch (op.kind) {
    case OpKind::kDropTable: case OpKind::kDropColumn: case OpKind::kDropSchema: case OpKind::kDropDatabase:
    case OpKind::kTruncate: case OpKind::kEnumValueRemoved:
      return true;
    case OpKind::kDelete: case OpKind::kUpdate:
      return !op.has_where;
    default:
      return false;
  }
}

std::string DataLossRule(const Op& op) {
  switch (op.kind) {
    case OpKind::kDropTable: return "drop-table";
    case OpKind::kDropColumn: return "drop-column";
    case OpKind::kDropSchema: return "drop-schema";
    case OpKind::kDropDatabase: return "drop-database";
    case OpKind::kTruncate: return "truncate";
    case OpKind::kEnumValueRemoved: return "enum-value-removal";
    case OpKind::kDelete: return "delete-without-where";
    case OpKind::kUpdate: return "update-without-where";
    case OpKind::kAlterColumnType: return "column-type-change";
    default: return "";
  }
}

bool LosesData(const StatementFacts& st, const Op& op, const ScriptFacts& script, const KnownSchema& schema) {
  if (CreatedHere(st, op)) return false;
  if (op.kind == OpKind::kAlterColumnType) {
    std::string old_type;
    auto t = schema.tables.find(op.table);
    if (t != schema.tables.end() && t->second.count(op.name)) old_type = t->second.at(op.name);
    return !op.type.empty() && LossyTypeChange(old_type, op.type);
  }
  if (op.kind == OpKind::kDropTable && IsTableRebuild(script, op, schema)) return false;
  return IsDataLoss(op);
}

bool KeepDataMarks(const RuleContext& ctx, const ScriptFacts& s, const StatementFacts& st, const Op& op) {
  if (!s.script || s.script != &ctx.migration.migration->up) return false;
  const bool ddl = op.kind == OpKind::kDropColumn || op.kind == OpKind::kDropTable ||
                   op.kind == OpKind::kAlterColumnType || op.kind == OpKind::kTruncate;
  const bool dml = op.kind == OpKind::kDelete || op.kind == OpKind::kUpdate;
  if (!ddl && !dml) return false;
  if (ddl && (s.script->directives.keep_data || ctx.options.keep_data)) return true;
  // The comment between the previous statement and this one.
  const std::string& text = s.script->text;
  size_t from = 0;
  if (st.index > 0 && static_cast<size_t>(st.index) <= s.statements.size()) {
    const Statement& prev = s.statements[st.index - 1].stmt;
    from = std::min(prev.offset + prev.text.size(), text.size());
  }
  const size_t to = std::min(st.stmt.offset, text.size());
  return to > from && text.substr(from, to - from).find("dbroll:keep-data") != std::string::npos;
}

}  // namespace dbroll::lint
