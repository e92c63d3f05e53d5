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
  EXPECT_EQ(MyScalar(e->driver(), "SELECT statements_done FROM dbroll_history WHERE version = '0002'"), "8");
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

// DROP TABLE renames the table aside within the database: the rollback
// brings back the very table, its index and its AUTO_INCREMENT counter.
TEST_F(MysqlKeepDataTest, DroppedTableIsRenamedAsideAndComesBackWithItsIndexAndCounter) {
  const std::string log = "CREATE TABLE log (id bigint AUTO_INCREMENT PRIMARY KEY, line varchar(20), KEY log_line (line));\n";
  Add("0001", "log", log + "INSERT INTO log (line) VALUES ('x'), ('y'), ('z');\nDELETE FROM log WHERE line = 'z';\n",
      "DROP TABLE log;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nDROP TABLE log;\n", log + "INSERT INTO log (line) VALUES ('down');\n");
  auto e = Open();
  ASSERT_TRUE(e && Ok(e->Migrate({})));
  // Two statements ran: the rename and its catalog row.
  EXPECT_EQ(MyScalar(e->driver(), "SELECT concat(kind, '|', row_count, '|', statements_done) FROM dbroll_archives a "
                                  "JOIN dbroll_history h ON h.version = a.version"),
            "renamed|2|2");
  ASSERT_TRUE(Ok(e->Down({})));
  // The rows and the index.
  EXPECT_EQ(MyScalar(e->driver(), "SELECT concat(group_concat(concat(id, line) ORDER BY id), '|', (SELECT count(*) "
                                  "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = "
                                  "'log' AND INDEX_NAME = 'log_line')) FROM log"),
            "1x,2y|1");
  ASSERT_TRUE(e->driver().RunStatement({.text = "INSERT INTO log (line) VALUES ('w')"}).ok());
  EXPECT_EQ(MyScalar(e->driver(), "SELECT max(id) FROM log"), "4");
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                  "AND table_name LIKE 'dbroll\\_archive\\_%'"),
            "0");
}

// RENAME TABLE commits at once: a crash before its catalog row is written is
// finished by the next migrate, which finds the renamed table.
TEST_F(MysqlKeepDataTest, ConnectionLostBetweenRenameAndRecordRerunFinishes) {
  Add("0001", "t", "CREATE TABLE t (id int PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a'), (2, 'b');\n",
      "DROP TABLE t;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nDROP TABLE t;\n", "CREATE TABLE t (id int PRIMARY KEY, v text);\n");
  {
    auto e = OpenWithFaults();
    ASSERT_TRUE(e);
    ASSERT_TRUE(e->Migrate({.to = "0001"}).ok());
    fault_->FailWhen(FaultDriver::Method::kRunTransaction, "INSERT INTO `dbroll_archives`",
                     FaultDriver::Fault::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM dbroll_archive_0002_1"), "2");
  }
  auto e = Open();
  ASSERT_TRUE(e && Ok(e->Migrate({})));
  EXPECT_EQ(MyScalar(e->driver(), "SELECT concat(kind, '|', row_count) FROM dbroll_archives"), "renamed|2");
  ASSERT_TRUE(Ok(e->Down({})));
  EXPECT_EQ(MyScalar(e->driver(), "SELECT group_concat(v ORDER BY id SEPARATOR '') FROM t"), "ab");
}

// Foreign keys are named per database, so a table with one is copied.
TEST_F(MysqlKeepDataTest, TableWithAForeignKeyIsCopiedAndPurgeDropsRenamedTables) {
  const std::string tables = "CREATE TABLE q (id int PRIMARY KEY);\nCREATE TABLE c (id int PRIMARY KEY, p int, "
                             "CONSTRAINT c_p FOREIGN KEY (p) REFERENCES p (id));\n";
  Add("0001", "t", "CREATE TABLE p (id int PRIMARY KEY);\nINSERT INTO p VALUES (1);\n" + tables +
      "INSERT INTO c VALUES (5, 1);\nINSERT INTO q VALUES (9);\n", "DROP TABLE q;\nDROP TABLE c;\nDROP TABLE p;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nDROP TABLE c;\nDROP TABLE q;\n", tables);
  auto e = Open();
  ASSERT_TRUE(e);
  ASSERT_TRUE(Ok(e->Migrate({})));
  EXPECT_EQ(MyScalar(e->driver(), "SELECT group_concat(kind ORDER BY seq) FROM dbroll_archives"), "table,renamed");
  ASSERT_TRUE(Ok(e->Down({})));
  EXPECT_EQ(MyScalar(e->driver(), "SELECT concat(c.id, q.id) FROM c, q"), "59");
  ASSERT_TRUE(e->Migrate({}).ok());
  auto purged = PurgeArchives(*e, {.older_than = std::chrono::seconds(0)});
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(purged->size(), 2u);
  EXPECT_EQ(MyScalar(e->driver(), "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
                                  "AND table_name LIKE 'dbroll\\_archive\\_%'"),
            "0");
}

}  // namespace
}  // namespace dbroll::testing
