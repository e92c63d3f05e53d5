// A lint rule: an id, a default severity and a check over one migration's
// facts. One rule per file in lint/rules/, listed once in rules/registry.cc.
#ifndef DBROLL_LINT_RULE_H_
#define DBROLL_LINT_RULE_H_

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lint/facts.h"

namespace dbroll::lint {

// Tables and enum types as created by the migrations linted before this one,
// so a rule can tell what a column's type was or which labels an enum had.
struct KnownSchema {
  std::map<std::string, std::map<std::string, std::string>> tables;  // table -> column -> type
  std::map<std::string, std::vector<std::string>> enums;             // type -> labels
  std::set<std::string> volatile_functions;  // user functions created VOLATILE (the default)
  std::set<std::string> keyless;  // tables created without a primary key (and none added since)
  void Apply(const ScriptFacts& script);
};

struct RawFinding {
  const Script* script = nullptr;
  int line = 1;
  int column = 1;
  int statement_line = 0;  // first line of the statement, for `dbroll:allow` on the line before; 0: none
  std::string message;
  std::string safe_alternative;
};

class RuleContext {
 public:
  RuleContext(const MigrationFacts& m, const LintOptions& opts, const KnownSchema& known,
              std::vector<RawFinding>* out)
      : migration(m), options(opts), target(opts.target), schema(known), out_(out) {}

  const MigrationFacts& migration;
  const LintOptions& options;
  const LintTarget& target;
  const KnownSchema& schema;  // before this migration

  bool postgres() const { return target.dialect == Dialect::kPostgres; }
  // Every op of the up (and of the down when `with_down`), with its statement.
  void ForEachOp(bool with_down,
                 const std::function<void(const ScriptFacts&, const StatementFacts&, const Op&)>& fn) const;
  // Reports at the op's position (the statement's unless the op has its own).
  void Report(const ScriptFacts& script, const StatementFacts& st, const Op& op, std::string message,
              std::string safe) const;
  void ReportAt(const Script& script, int line, int column, std::string message, std::string safe,
                int statement_line = 0) const;

 private:
  std::vector<RawFinding>* out_;
};

struct Rule {
  const char* id;
  Severity severity;
  const char* summary;
  void (*check)(const RuleContext& ctx);
};

// Every rule, in id order.
const std::vector<Rule>& AllRules();

// A `-- dbroll:allow <rule> <reason>` for the statement starting at
// `statement_line` (on the comment lines right above it) or for the file.
bool AllowedWithReason(const Script& s, const std::string& rule, int statement_line);
// The rule that reports a data-loss op on its own ("drop-column" for a
// dropped column, ...); empty when none does.
std::string DataLossRule(const Op& op);

// Shared by several rules: the up declares itself irreversible.
bool DeclaredIrreversible(const MigrationFacts& m);
// The statement creates the op's table earlier in the same script.
inline bool CreatedHere(const StatementFacts& st, const Op& op) {
  if (!st.created_at) return false;
  auto it = st.created_at->find(op.table);
  return it != st.created_at->end() && it->second < st.index;
}
// Data-loss op on a table that existed before this migration.
bool LosesData(const StatementFacts& st, const Op& op, const ScriptFacts& script, const KnownSchema& schema);
// Lossy type change: `old_type` may be empty when unknown.
bool LossyTypeChange(const std::string& old_type, const std::string& new_type);
// A recognised table rebuild (create new, copy, drop old, rename new to old)
// that keeps every known column of the dropped table.
bool IsTableRebuild(const ScriptFacts& script, const Op& drop, const KnownSchema& schema);
// The op creates the new table of such a rebuild.
bool IsTableRebuildTarget(const ScriptFacts& script, const Op& create);
// Every column the up creates or retypes (CREATE TABLE columns, ADD COLUMN,
// ALTER COLUMN TYPE), with its normalised type and whether it is part of the
// primary key.
void ForEachColumnType(const RuleContext& ctx,
                       const std::function<void(const ScriptFacts&, const StatementFacts&, const Op&,
                                                const std::string& column, const std::string& type,
                                                bool primary_key)>& fn);
// Keep-data (docs/keep-data.md) covers the op: a DROP COLUMN / DROP TABLE /
// type change / TRUNCATE under the up's `-- dbroll:keep-data` (or
// [migrations] keep_data), or any of those and DELETE / UPDATE right after a
// `-- dbroll:keep-data` comment. `keyed` says the table is not known to lack
// a primary key (keep-data refuses such tables).
bool KeepDataMarks(const RuleContext& ctx, const ScriptFacts& s, const StatementFacts& st, const Op& op);
inline bool KeepDataCovers(const RuleContext& ctx, const ScriptFacts& s, const StatementFacts& st, const Op& op) {
  return KeepDataMarks(ctx, s, st, op) && !ctx.schema.keyless.count(op.table);
}
// Name for messages: "table users", "column users.email".
std::string Describe(const Op& op);

}  // namespace dbroll::lint

#endif  // DBROLL_LINT_RULE_H_
