// down-does-not-reverse: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(DownDoesNotReverseTest, FindsTableLeftBehind) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);
CREATE TABLE b (x int);)sql", R"sql(DROP TABLE b;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "down-does-not-reverse"), (std::vector<std::string>{"1:1"}));
}

TEST(DownDoesNotReverseTest, FindsColumnLeftBehind) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN b int;)sql", R"sql(SELECT 1;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "down-does-not-reverse"), (std::vector<std::string>{"1:1"}));
}

TEST(DownDoesNotReverseTest, DropTableCoversIndexes) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);
CREATE INDEX a_x ON a (x);)sql", R"sql(DROP TABLE a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "down-does-not-reverse"), (std::vector<std::string>{}));
}

TEST(DownDoesNotReverseTest, RenameRevertedIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users RENAME COLUMN email TO mail;)sql", R"sql(ALTER TABLE users RENAME COLUMN mail TO email;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "down-does-not-reverse"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
