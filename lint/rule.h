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

// Which ops of a kind a rule looks at (RuleContext::ForEachOpOf).
struct OpScope {
  bool with_down = false;            // the down's ops too, not only the up's
  bool postgres_only = false;        // none unless the target is PostgreSQL
  bool unless_irreversible = false;  // none when the up is declared irreversible
  bool skip_created_here = true;     // not those on a table created earlier in the same script
  bool skip_kept = false;            // not those keep-data archives and restores (KeepDataCovers)
};
// The scope of the rules that report lost data in an up.
inline constexpr OpScope kDataLossInUp = {.unless_irreversible = true, .skip_kept = true};
// The scope of the PostgreSQL rules about locks, in the up and the down.
inline constexpr OpScope kPostgresLocks = {.with_down = true, .postgres_only = true};

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
  // Every script the migration has: the up, then the down when there is one.
  void ForEachScript(const std::function<void(const ScriptFacts&)>& fn) const;
  // Every `-- dbroll:allow` of the up and the down, with its script.
  void ForEachAllow(const std::function<void(const Script&, const Allow&)>& fn) const;
  // Every op of the up (and of the down when `with_down`), with its statement.
  void ForEachOp(bool with_down,
                 const std::function<void(const ScriptFacts&, const StatementFacts&, const Op&)>& fn) const;
  // Every op of `kind` the scope takes in (see OpScope).
  void ForEachOpOf(OpKind kind, const OpScope& scope,
                   const std::function<void(const ScriptFacts&, const StatementFacts&, const Op&)>& fn) const;
  // Reports at the op's position (the statement's unless the op has its own).
  void Report(const ScriptFacts& script, const StatementFacts& st, const Op& op, std::string message,
              std::string safe) const;
  // Reports at the statement's first line and column.
  void ReportStatement(const ScriptFacts& script, const StatementFacts& st, std::string message,
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
// PostgreSQL: reports "column <table>.<column> is <type><what>" for every
// column the up creates or retypes whose type `matches` (ForEachColumnType);
// `safe` gives the safe alternative for a column.
void ReportColumnTypes(const RuleContext& ctx, const std::function<bool(const std::string& type)>& matches,
                       const std::string& what, const std::function<std::string(const std::string& column)>& safe);
// An op of the script's statements before `st` matches `pred`.
bool EarlierOp(const ScriptFacts& s, const StatementFacts& st, const std::function<bool(const Op&)>& pred);
// Name for messages: "table users", "column users.email".
std::string Describe(const Op& op);

}  // namespace dbroll::lint

#endif  // DBROLL_LINT_RULE_H_
