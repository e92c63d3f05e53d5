// keep-data: a destructive statement under keep-data is an info line naming
// the archive, and settles drop-column, drop-table and friends.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

const char* kUsers = "CREATE TABLE users (id int primary key, email text, legacy text);";

// The cases (the info line, what it settles) are in keep-data.cases.
TEST(KeepDataRuleTest, KeptDropColumnLeavesNoError) {
  for (const char* target : {"postgres:15", "mysql:8.0", "sqlite:3.40"}) {
    auto f = LintPairs({{kUsers, "DROP TABLE users;"},
                        {"-- dbroll:keep-data\nALTER TABLE users DROP COLUMN legacy;",
                         "ALTER TABLE users ADD COLUMN legacy text;"}},
                       target);
    EXPECT_EQ(ErrorFindings(f), std::vector<std::string>{}) << target;
  }
}

TEST(KeepDataRuleTest, InfoNeverFailsTheTextSummary) {
  auto f = LintPairs({{kUsers, "DROP TABLE users;"},
                      {"-- dbroll:keep-data\nALTER TABLE users DROP COLUMN legacy;",
                       "ALTER TABLE users ADD COLUMN legacy text;"}},
                     "sqlite:3.40");
  const std::string text = RenderFindings(f, "text", 4).value();
  EXPECT_NE(text.find("info [keep-data] column users.legacy"), std::string::npos) << text;
  EXPECT_NE(text.find("4 file(s) checked: 0 error(s), 0 warning(s), 1 info"), std::string::npos) << text;
  EXPECT_NE(RenderFindings(f, "github", 4).value().find("::notice file="), std::string::npos);
  EXPECT_NE(RenderFindings(f, "sarif", 4).value().find("\"level\": \"note\""), std::string::npos);
}

}  // namespace
}  // namespace dbroll::testing
