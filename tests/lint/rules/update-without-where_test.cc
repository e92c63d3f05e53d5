// update-without-where: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(UpdateWithoutWhereTest, FindsUpdate) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(UPDATE users SET a = 1;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "update-without-where"), (std::vector<std::string>{"1:1"}));
}

TEST(UpdateWithoutWhereTest, InCte) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(WITH x AS (UPDATE users SET a = 1 RETURNING id) SELECT count(*) FROM x;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "update-without-where"), (std::vector<std::string>{"1:1"}));
}

TEST(UpdateWithoutWhereTest, InDoBlockNested) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(DO $body$
BEGIN
  IF true THEN
    UPDATE users SET a = 2;
  END IF;
END $body$;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "update-without-where"), (std::vector<std::string>{"4:5"}));
}

TEST(UpdateWithoutWhereTest, FunctionBodyIsNotExecuted) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN UPDATE users SET a = 1; END $$;)sql", R"sql(DROP FUNCTION f;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "update-without-where"), (std::vector<std::string>{}));
}

TEST(UpdateWithoutWhereTest, TableCreatedHere) {
  auto f = LintPairs({{R"sql(CREATE TABLE t (a int); UPDATE t SET a = 1;)sql", R"sql(DROP TABLE t;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "update-without-where"), (std::vector<std::string>{}));
}

TEST(UpdateWithoutWhereTest, MysqlDelimiterBlock) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(DELIMITER //
CREATE PROCEDURE p() BEGIN UPDATE users SET a = 1; END//
DELIMITER ;
UPDATE users SET a = 3;)sql", R"sql(DROP PROCEDURE p;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "update-without-where"), (std::vector<std::string>{"4:1"}));
}

}  // namespace
}  // namespace dbroll::testing
