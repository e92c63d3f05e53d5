// The table-driven lint rule tests: every tests/lint/rules/<rule-id>.cases
// file is one test, each of its cases linted and compared with the exact
// findings of that rule. A .cases file reads:
//
//   # comment lines (only before the first case)
//   === CaseName
//   target: mysql:8.0          (optional; default postgres:15)
//   options: keep_data         (optional LintOptions flags: keep_data,
//                              session_lock_timeout)
//   --- up                     migration 0001's up.sql, the lines up to the next marker
//   CREATE TABLE a (x int);
//   --- down                   its down.sql ("<none>": no down file)
//   DROP TABLE a;
//   --- up                     0002, 0003, ... likewise
//   --- expect                 every finding of the rule, "path:line:col: message";
//   0001_m/up.sql:1:1: ...     none: the rule stays quiet
//   --- expect drop-column     (optional, any number) every finding of another rule
//
// Section texts keep their lines but not the last newline (a blank last line
// keeps one).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/lint/lint_test_util.h"
#include "tests/support/temp_dir.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

struct CasesFile {
  std::string rule;
  fs::path path;
};

std::ostream& operator<<(std::ostream& os, const CasesFile& f) { return os << f.path.filename().string(); }

std::vector<CasesFile> AllCasesFiles() {
  std::vector<CasesFile> out;
  for (const auto& e : fs::directory_iterator(fs::path(DBROLL_SOURCE_DIR) / "tests/lint/rules")) {
    if (e.path().extension() == ".cases") out.push_back({e.path().stem().string(), e.path()});
  }
  std::sort(out.begin(), out.end(), [](const CasesFile& a, const CasesFile& b) { return a.path < b.path; });
  return out;
}

// The cases of one file; a malformed file is a failure naming its line.
std::vector<LintCase> Parse(const CasesFile& f) {
  std::ifstream in(f.path);
  EXPECT_TRUE(in) << f.path << ": cannot read";
  std::vector<LintCase> cases;
  std::string line, section;  // section: "", "up", "down", "expect", "expect <other rule>"
  std::string text;
  bool have_text = false;
  int n = 0;
  auto flush = [&] {
    if (section == "up") {
      cases.back().migrations.push_back({text, ""});
    } else if (section == "down") {
      cases.back().migrations.back().second = text;
    }
    text.clear();
    have_text = false;
  };
  while (std::getline(in, line)) {
    ++n;
    const std::string where = f.path.filename().string() + ":" + std::to_string(n) + ": ";
    if (line.rfind("=== ", 0) == 0) {
      if (!cases.empty()) flush();
      LintCase c;
      c.name = line.substr(4);
      c.rule = f.rule;
      cases.push_back(std::move(c));
      section.clear();
      continue;
    }
    if (cases.empty()) {
      EXPECT_TRUE(line.empty() || line[0] == '#') << where << "text before the first \"=== name\"";
      continue;
    }
    if (line.rfind("--- ", 0) == 0) {
      flush();
      const std::string next = line.substr(4);
      const bool other = next.rfind("expect ", 0) == 0;
      EXPECT_TRUE(next == "up" || next == "down" || next == "expect" || other) << where << "unknown section " << next;
      EXPECT_TRUE(next != "down" || section == "up") << where << "a down must follow its up";
      if (other) cases.back().other_rules.push_back({next.substr(7), {}});
      section = next;
      continue;
    }
    if (section.empty()) {
      if (line.rfind("target: ", 0) == 0) {
        cases.back().target = line.substr(8);
      } else if (line.rfind("options: ", 0) == 0) {
        std::istringstream words(line.substr(9));
        for (std::string w; words >> w;) {
          EXPECT_TRUE(w == "keep_data" || w == "session_lock_timeout") << where << "unknown option " << w;
          (w == "keep_data" ? cases.back().keep_data : cases.back().session_lock_timeout) = true;
        }
      } else {
        EXPECT_TRUE(line.empty()) << where << "expected target:, options: or a --- section";
      }
    } else if (section == "expect") {
      if (!line.empty()) cases.back().expected.push_back(line);
    } else if (section.rfind("expect ", 0) == 0) {
      if (!line.empty()) cases.back().other_rules.back().second.push_back(line);
    } else {
      text += (have_text ? "\n" : "") + line;
      have_text = true;
    }
  }
  if (!cases.empty()) flush();
  return cases;
}

class LintRuleCases : public ::testing::TestWithParam<CasesFile> {};

TEST_P(LintRuleCases, FindExactlyTheExpectedFindings) {
  const auto cases = Parse(GetParam());
  ASSERT_FALSE(cases.empty()) << GetParam().path << ": no cases";
  ExpectLintCases(cases);
}

INSTANTIATE_TEST_SUITE_P(Rules, LintRuleCases, ::testing::ValuesIn(AllCasesFiles()),
                         [](const ::testing::TestParamInfo<CasesFile>& param) {
                           std::string name = param.param.rule;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

// The parser itself: sections, defaults, a missing down, several migrations.
TEST(LintRuleCasesFormatTest, ReadsEverySection) {
  TempDir dir("cases");
  const fs::path p = dir / "some-rule.cases";
  std::ofstream(p) << "# comment\n\n=== First\ntarget: mysql:8.0\n--- up\nA;\nB;\n--- down\n<none>\n--- up\nC;\n"
                      "--- down\n--- expect\n0001_m/up.sql:1:1: x\n--- expect other-rule\n0001_m/up.sql:2:1: y\n\n"
                      "=== Second\noptions: keep_data session_lock_timeout\n--- up\nD;\n\n--- down\nE;\n--- expect\n"
                      "--- expect other-rule\n";
  const auto cases = Parse({"some-rule", p});
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].name, "First");
  EXPECT_EQ(cases[0].rule, "some-rule");
  EXPECT_EQ(cases[0].target, "mysql:8.0");
  EXPECT_EQ(cases[0].migrations, (std::vector<std::pair<std::string, std::string>>{{"A;\nB;", "<none>"}, {"C;", ""}}));
  EXPECT_EQ(cases[0].expected, (std::vector<std::string>{"0001_m/up.sql:1:1: x"}));
  EXPECT_EQ(cases[0].other_rules, (std::vector<std::pair<std::string, std::vector<std::string>>>{
                                      {"other-rule", {"0001_m/up.sql:2:1: y"}}}));
  EXPECT_FALSE(cases[0].keep_data || cases[0].session_lock_timeout);
  EXPECT_EQ(cases[1].target, "postgres:15");
  EXPECT_TRUE(cases[1].keep_data && cases[1].session_lock_timeout);
  EXPECT_EQ(cases[1].migrations, (std::vector<std::pair<std::string, std::string>>{{"D;\n", "E;"}}));
  EXPECT_TRUE(cases[1].expected.empty());
  EXPECT_EQ(cases[1].other_rules,
            (std::vector<std::pair<std::string, std::vector<std::string>>>{{"other-rule", {}}}));
}

}  // namespace
}  // namespace dbroll::testing
