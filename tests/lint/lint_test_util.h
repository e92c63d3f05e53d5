// Helpers for lint tests: lint an in-memory migration pair and look findings up.
#ifndef DBROLL_TESTS_LINT_LINT_TEST_UTIL_H_
#define DBROLL_TESTS_LINT_LINT_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "dbroll/lint.h"

namespace dbroll::testing {

inline Script MakeScript(const std::string& path, const std::string& text) {
  Script s;
  s.directives = ParseDirectives(path, text, nullptr);
  s.path = path;
  s.text = text;
  return s;
}

// Lints migrations given as (up, down) texts, versions 0001, 0002, ...; a
// down of "<none>" means no down file.
inline std::vector<Finding> LintPairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                                      const std::string& target = "postgres:15", LintOptions o = {}) {
  o.target = ParseLintTarget(target).value();
  std::vector<Migration> ms;
  int v = 0;
  for (const auto& [up, down] : pairs) {
    Migration m;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d", ++v);
    m.version = buf;
    m.name = "m";
    m.up = MakeScript(m.version + "_m/up.sql", up);
    if (down != "<none>") m.down = MakeScript(m.version + "_m/down.sql", down);
    ms.push_back(std::move(m));
  }
  return Linter::Create(o).value()->Lint(ms);
}

inline std::vector<Finding> LintUp(const std::string& up, const std::string& down = "",
                                   const std::string& target = "postgres:15") {
  return LintPairs({{up, down}}, target);
}

// "line:col" of each finding of `rule`, in order.
inline std::vector<std::string> Positions(const std::vector<Finding>& fs, const std::string& rule) {
  std::vector<std::string> out;
  for (const auto& f : fs) {
    if (f.rule == rule) out.push_back(std::to_string(f.line) + ":" + std::to_string(f.column));
  }
  return out;
}

// "<path>: <rule>" of each finding of error severity.
inline std::vector<std::string> ErrorFindings(const std::vector<Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) {
    if (f.severity == Severity::kError) out.push_back(f.path + ": " + f.rule);
  }
  return out;
}

// One row of a rule's test table: migrations (up, down) linted in order for
// `target`, and every finding of `rule` expected, as
// "<path>:<line>:<col>: <message>" (paths are "0001_m/up.sql", ...). An empty
// `expected` means the rule must stay quiet.
struct LintCase {
  std::string name;
  std::string target = "postgres:15";
  std::vector<std::pair<std::string, std::string>> migrations;
  std::string rule;
  std::vector<std::string> expected;
  // The driver sets lock_timeout for every session (LintOptions field).
  bool session_lock_timeout = false;
  // [migrations] keep_data = true (LintOptions field).
  bool keep_data = false;
  // Every finding of other rules the case pins down, per rule, rendered like
  // `expected`: a settled finding stays absent, another rule's one stays.
  std::vector<std::pair<std::string, std::vector<std::string>>> other_rules;
};

inline std::vector<std::string> Rendered(const std::vector<Finding>& fs, const std::string& rule) {
  std::vector<std::string> out;
  for (const auto& f : fs) {
    if (f.rule == rule) {
      out.push_back(f.path + ":" + std::to_string(f.line) + ":" + std::to_string(f.column) + ": " + f.message);
    }
  }
  return out;
}

// Lints each case and compares the rule's findings with the expected ones.
template <typename Cases>
void ExpectLintCases(const Cases& cases) {
  for (const LintCase& c : cases) {
    SCOPED_TRACE(c.name);
    LintOptions o;
    o.session_lock_timeout = c.session_lock_timeout;
    o.keep_data = c.keep_data;
    const auto findings = LintPairs(c.migrations, c.target, o);
    EXPECT_EQ(Rendered(findings, c.rule), c.expected) << c.name;
    for (const auto& [rule, expected] : c.other_rules) {
      EXPECT_EQ(Rendered(findings, rule), expected) << c.name << ": " << rule;
    }
  }
}

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_LINT_LINT_TEST_UTIL_H_
