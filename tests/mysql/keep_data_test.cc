// keep-data on a real MariaDB: DDL commits at once, so the archive and the
// restore are statements of a statement-by-statement run with recorded
// progress; the rollback restores every value.
#include <gtest/gtest.h>

#include "dbroll/keep_data.h"
#include "tests/support/server_keep_data_test.h"

namespace dbroll::testing {
namespace {

constexpr char kPrefix[] = "kd_";
using MysqlKeepDataTest = OnServer<kMysqlServer, kPrefix>;

const char* kSum = "SELECT concat(count(*), '|', sum(length(legacy)), '|', min(legacy), '|', max(legacy), '|', "
                   "sum(score)) FROM users";

TEST_F(MysqlKeepDataTest, DropColumnModifyDropTableAndTruncateAreRolledBackWithTheirData) {
  Add("0001", "users",
      "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, legacy varchar(50), score decimal(8,3));\n"
      "INSERT INTO users SELECT seq, concat('u', seq, '@x'), concat('L', seq * 7), seq + 0.125 FROM seq_1_to_3000;\n"
      "CREATE TABLE audit (id integer PRIMARY KEY, what varchar(50));\n"
      "INSERT INTO audit VALUES (1, 'a'), (2, 'b'), (3, 'c');\n"
      "CREATE TABLE log (id bigint AUTO_INCREMENT PRIMARY KEY, line text);\n"
      "INSERT INTO log (line) VALUES ('x'), ('y');\n",
      "DROP TABLE log;\nDROP TABLE audit;\nDROP TABLE users;\n");
  Add("0002", "shrink",
      "-- dbroll:keep-data\nALTER TABLE users DROP COLUMN legacy, MODIFY score integer;\n"
      "DROP TABLE audit;\nTRUNCATE log;\n",
      "CREATE TABLE audit (id integer PRIMARY KEY, what varchar(50));\n"
      "ALTER TABLE users ADD COLUMN legacy varchar(50), MODIFY score decimal(8,3);\n");
  auto e = Open();
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->Migrate({.to = "0001"}).ok());
  const std::string before = MyScalar(e->driver(), kSum);
  EXPECT_EQ(before, "3000|16415|L10003|L9996|4501875.000");
  Status up = e->Migrate({});
  ASSERT_TRUE(up.ok()) << up.ToString();
  EXPECT_EQ(MyScalar(e->driver(), "SELECT statements_done FROM dbroll_history WHERE version = '0002'"), "9");
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM log"), "0");
  Status down = e->Down({});
  ASSERT_TRUE(down.ok()) << down.ToString();
  EXPECT_EQ(MyScalar(e->driver(), kSum), before);
  EXPECT_EQ(MyScalar(e->driver(), "SELECT group_concat(what ORDER BY id SEPARATOR '') FROM audit"), "abc");
  EXPECT_EQ(MyScalar(e->driver(), "SELECT group_concat(concat(id, line) ORDER BY id) FROM log"), "1x,2y");
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                  "AND table_name LIKE 'dbroll\\_archive\\_%'"),
            "0");
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM dbroll_archives"), "0");
}

TEST_F(MysqlKeepDataTest, PurgedArchiveNeedsWithoutData) { PurgedArchiveNeedsWithoutData(*this); }

TEST_F(MysqlKeepDataTest, MixedCaseTableNameKeepsItsCase) {
  Add("0001", "t", "CREATE TABLE Orders (id int PRIMARY KEY, note text);\nINSERT INTO Orders VALUES (1, 'n1');\n",
      "DROP TABLE Orders;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nALTER TABLE Orders DROP COLUMN note;\n",
      "ALTER TABLE Orders ADD COLUMN note text;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status up = e->Migrate({});
  ASSERT_TRUE(up.ok()) << up.ToString();
  Status down = e->Down({});
  ASSERT_TRUE(down.ok()) << down.ToString();
  EXPECT_EQ(MyScalar(e->driver(), "SELECT note FROM Orders"), "n1");
}

}  // namespace
}  // namespace dbroll::testing
