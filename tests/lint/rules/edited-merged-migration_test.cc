// edited-merged-migration: reported for scripts the pre-merge diff marks as edited.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

std::vector<Finding> LintEdited(const std::set<std::string>& edited) {
  LintOptions o;
  o.edited_since_base = edited;
  Migration m;
  m.version = "0001";
  m.name = "m";
  m.up = MakeScript("0001_m/up.sql", "CREATE TABLE a (x int);");
  m.down = MakeScript("0001_m/down.sql", "DROP TABLE a;");
  return Linter::Create(o).value()->Lint({m});
}

TEST(EditedMergedMigrationTest, FindsEditedUp) {
  auto f = LintEdited({"0001_m/up.sql"});
  ASSERT_EQ(Positions(f, "edited-merged-migration"), (std::vector<std::string>{"1:1"}));
  EXPECT_EQ(f[0].path, "0001_m/up.sql");
}

TEST(EditedMergedMigrationTest, UneditedIsFine) {
  EXPECT_TRUE(Positions(LintEdited({}), "edited-merged-migration").empty());
}

}  // namespace
}  // namespace dbroll::testing
