// A long script is analysed on several threads: findings must be the same,
// in the same order, as statement-by-statement analysis gives, including the
// same-migration memory that crosses chunk boundaries.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(LintLongScriptTest, ParallelAnalysisKeepsFindingsAndOrder) {
  std::string up = "CREATE TABLE base (id int primary key";
  for (int i = 0; i < 400; ++i) up += ", c" + std::to_string(i) + " int";
  up += ");\n";
  std::string down = "DROP TABLE base;\n";
  std::string later;  // the second migration: long enough to be split over threads
  std::vector<std::string> drops, unparsed;
  int line = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string t = "t" + std::to_string(i);
    later += "CREATE TABLE " + t + " (id int);\n";                     // index below is then not a finding
    later += "CREATE INDEX " + t + "_i ON " + t + " (id);\n";
    later += "ALTER TABLE base DROP COLUMN c" + std::to_string(i) + ";\n";
    line += 3;
    drops.push_back(std::to_string(line) + ":1");
    if (i == 250) {
      later += "SELEKT nonsense;\n";
      ++line;
      unparsed.push_back(std::to_string(line) + ":1");
    }
  }
  std::string later_down;
  for (int i = 399; i >= 0; --i) later_down += "DROP TABLE t" + std::to_string(i) + ";\n";
  auto f = LintPairs({{up, down}, {later, later_down}});
  std::vector<Finding> second;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) second.push_back(x);
  }
  EXPECT_EQ(Positions(second, "drop-column"), drops);
  EXPECT_TRUE(Positions(second, "create-index-not-concurrently").empty());
  EXPECT_EQ(Positions(second, "unparseable-statement"), unparsed);
}

}  // namespace
}  // namespace dbroll::testing
