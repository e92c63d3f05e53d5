// non-atomic-ddl: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(NonAtomicDdlTest, FindsSecondDdl) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);
CREATE TABLE b (x int);)sql", R"sql(DROP TABLE b;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "non-atomic-ddl"), (std::vector<std::string>{"2:1"}));
}

TEST(NonAtomicDdlTest, DmlDoesNotCount) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);
INSERT INTO a VALUES (1);)sql", R"sql(DROP TABLE a;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "non-atomic-ddl"), (std::vector<std::string>{}));
}

TEST(NonAtomicDdlTest, PostgresIsTransactional) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);
CREATE TABLE b (x int);)sql", R"sql(DROP TABLE b;
DROP TABLE a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "non-atomic-ddl"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
