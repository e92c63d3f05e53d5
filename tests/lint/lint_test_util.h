// Helpers for lint tests: lint an in-memory migration pair and look findings up.
#ifndef DBROLL_TESTS_LINT_LINT_TEST_UTIL_H_
#define DBROLL_TESTS_LINT_LINT_TEST_UTIL_H_

#include <optional>
#include <string>
#include <vector>

#include "dbroll/lint.h"

namespace dbroll::testing {

inline Script MakeScript(const std::string& path, const std::string& text) {
  Script s;
  s.path = path;
  s.text = text;
  s.directives = ParseDirectives(path, text, nullptr);
  return s;
}

// Lints migrations given as (up, down) texts, versions 0001, 0002, ...; a
// down of "<none>" means no down file.
inline std::vector<Finding> LintPairs(const std::vector<std::pair<std::string, std::string>>& pairs,
                                      const std::string& target = "postgres:15") {
  LintOptions o;
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

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_LINT_LINT_TEST_UTIL_H_
