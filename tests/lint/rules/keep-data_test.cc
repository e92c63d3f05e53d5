// keep-data: a destructive statement under keep-data is an info line naming
// the archive, and settles drop-column, drop-table and friends.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

const char* kUsers = "CREATE TABLE users (id int primary key, email text, legacy text);";

TEST(KeepDataRuleTest, DropColumnIsInfoNamingTheArchive) {
  for (const char* target : {"postgres:15", "mysql:8.0", "sqlite:3.40"}) {
    auto f = LintPairs({{kUsers, "DROP TABLE users;"},
                        {"-- dbroll:keep-data\nALTER TABLE users DROP COLUMN legacy;",
                         "ALTER TABLE users ADD COLUMN legacy text;"}},
                       target);
    EXPECT_EQ(Rendered(f, "keep-data"),
              (std::vector<std::string>{"0002_m/up.sql:2:1: column users.legacy is archived by keep-data in "
                                        "dbroll_archive_0002_1 before this statement; dbroll down restores it "
                                        "after the down, dbroll purge removes it"}))
        << target;
    EXPECT_TRUE(Positions(f, "drop-column").empty()) << target;
    EXPECT_TRUE(Positions(f, "irreversible-without-directive").empty()) << target;
    for (const auto& x : f) EXPECT_NE(x.severity, Severity::kError) << target << " " << x.rule << " " << x.message;
  }
}

TEST(KeepDataRuleTest, DropTableAndTruncateAreSettled) {
  auto f = LintPairs({{kUsers, "DROP TABLE users;"},
                      {"-- dbroll:keep-data\nTRUNCATE users;\nDROP TABLE users;", "CREATE TABLE users (id int primary key);"}},
                     "sqlite:3.40");
  EXPECT_EQ(Positions(f, "keep-data"), (std::vector<std::string>{"2:1", "3:1"}));
  EXPECT_EQ(Rendered(f, "keep-data").at(1),
            "0002_m/up.sql:3:1: table users is renamed aside by keep-data to dbroll_archive_0002_2 instead of dropped "
            "(copied there when views, foreign keys, triggers or named indexes refer to it); dbroll down puts it back "
            "after the down, dbroll purge drops it");
  EXPECT_TRUE(Positions(f, "drop-table").empty());
  EXPECT_TRUE(Positions(f, "truncate").empty());
}

TEST(KeepDataRuleTest, WithoutTheDirectiveDropColumnStaysAnError) {
  auto f = LintPairs({{kUsers, "DROP TABLE users;"},
                      {"ALTER TABLE users DROP COLUMN legacy;", "ALTER TABLE users ADD COLUMN legacy text;"}},
                     "sqlite:3.40");
  EXPECT_EQ(Positions(f, "drop-column"), (std::vector<std::string>{"1:1"}));
  EXPECT_TRUE(Positions(f, "keep-data").empty());
}

TEST(KeepDataRuleTest, MarkedDeleteIsSettledUnmarkedIsNot) {
  auto f = LintPairs({{kUsers, "DROP TABLE users;"},
                      {"DELETE FROM users;\n-- dbroll:keep-data\nUPDATE users SET legacy = NULL;", "SELECT 1;"}},
                     "postgres:15");
  EXPECT_EQ(Positions(f, "delete-without-where"), (std::vector<std::string>{"1:1"}));
  EXPECT_TRUE(Positions(f, "update-without-where").empty());
  EXPECT_EQ(Positions(f, "keep-data"), (std::vector<std::string>{"3:1"}));
}

TEST(KeepDataRuleTest, ConfigKeepDataCoversEveryUp) {
  LintOptions o;
  o.keep_data = true;
  auto f = LintPairs({{kUsers, "DROP TABLE users;"},
                      {"ALTER TABLE users DROP COLUMN legacy;", "ALTER TABLE users ADD COLUMN legacy text;"}},
                     "postgres:15", o);
  EXPECT_TRUE(Positions(f, "drop-column").empty());
  EXPECT_EQ(Positions(f, "keep-data"), (std::vector<std::string>{"1:1"}));
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
