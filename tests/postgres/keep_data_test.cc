// keep-data on a real PostgreSQL: the archive is written in the migration's
// transaction and the rollback restores every value.
#include <gtest/gtest.h>

#include "dbroll/keep_data.h"
#include "tests/support/server_keep_data_test.h"

namespace dbroll::testing {
namespace {

constexpr char kPrefix[] = "kd_";
using PostgresKeepDataTest = OnServer<kPostgresServer, kPrefix>;

const char* kSum = "SELECT count(*) || '|' || sum(length(legacy)) || '|' || min(legacy) || '|' || max(legacy) || '|' || "
                   "sum(score) FROM users";

TEST_F(PostgresKeepDataTest, DropColumnTypeChangeDropTableAndTruncateAreRolledBackWithTheirData) {
  Add("0001", "users",
      "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, legacy varchar(50), score numeric(8,3));\n"
      "INSERT INTO users SELECT n, 'u' || n || '@x', 'L' || (n * 7), n + 0.125 FROM generate_series(1, 3000) n;\n"
      "CREATE TABLE audit (id integer PRIMARY KEY, what varchar(50));\n"
      "INSERT INTO audit VALUES (1, 'a'), (2, 'b'), (3, 'c');\n"
      "CREATE TABLE log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, line text);\n"
      "INSERT INTO log (line) VALUES ('x'), ('y');\n",
      "DROP TABLE log;\nDROP TABLE audit;\nDROP TABLE users;\n");
  Add("0002", "shrink",
      "-- dbroll:keep-data\nALTER TABLE users DROP COLUMN legacy, ALTER COLUMN score TYPE integer;\n"
      "DROP TABLE audit;\nTRUNCATE log;\n",
      "CREATE TABLE audit (id integer PRIMARY KEY, what varchar(50));\n"
      "ALTER TABLE users ADD COLUMN legacy varchar(50), ALTER COLUMN score TYPE numeric(8,3);\n");
  auto e = Open();
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->Migrate({.to = "0001"}).ok());
  const std::string before = PgScalar(e->driver(), kSum);
  EXPECT_EQ(before, "3000|16415|L10003|L9996|4501875.000");
  Status up = e->Migrate({});
  ASSERT_TRUE(up.ok()) << up.ToString();
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM dbroll_archives"), "3");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM log"), "0");
  Status down = e->Down({});
  ASSERT_TRUE(down.ok()) << down.ToString();
  EXPECT_EQ(PgScalar(e->driver(), kSum), before);
  EXPECT_EQ(PgScalar(e->driver(), "SELECT string_agg(what, '' ORDER BY id) FROM audit"), "abc");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT string_agg(id || line, ',' ORDER BY id) FROM log"), "1x,2y");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'dbroll\\_archive\\_%'"), "0");
}

TEST_F(PostgresKeepDataTest, FailingStatementRollsTheArchiveBackWithIt) {
  Add("0001", "t", "CREATE TABLE t (id int PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a');\n", "DROP TABLE t;\n");
  Add("0002", "bad", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\nSELECT * FROM nope;\n",
      "ALTER TABLE t ADD COLUMN v text;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  EXPECT_EQ(e->Migrate({}).code(), Code::kMigrationFailed);
  EXPECT_EQ(PgScalar(e->driver(), "SELECT v FROM t"), "a");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'dbroll\\_archive\\_%'"), "0");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM dbroll_archives"), "0");
}

TEST_F(PostgresKeepDataTest, UniqueNotNullKeyServesWhenThereIsNoPrimaryKey) {
  Add("0001", "t",
      "CREATE TABLE t (code text NOT NULL, region int NOT NULL, nick text UNIQUE, v text,"
      " CONSTRAINT t_key UNIQUE (region, code));\n"
      "INSERT INTO t VALUES ('a', 1, 'x', 'va'), ('a', 2, NULL, 'vb'), ('b', 1, NULL, 'vc');\n",
      "DROP TABLE t;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  auto e = Open();
  ASSERT_TRUE(e);
  Status up = e->Migrate({});
  ASSERT_TRUE(up.ok()) << up.ToString();
  Status down = e->Down({});
  ASSERT_TRUE(down.ok()) << down.ToString();
  EXPECT_EQ(PgScalar(e->driver(), "SELECT string_agg(code || region || '=' || v, ',' ORDER BY code, region) FROM t"),
            "a1=va,a2=vb,b1=vc");
}

TEST_F(PostgresKeepDataTest, PurgedArchiveNeedsWithoutData) { PurgedArchiveNeedsWithoutData(*this); }

// DROP TABLE renames the table aside into the dbroll_archive schema: its
// indexes and identity move with it, so the down can re-create an index of
// the same name, and the rollback brings back the very table (same oid).
TEST_F(PostgresKeepDataTest, DroppedTableIsRenamedAsideAndComesBackWithItsIndexAndIdentity) {
  const char* create =
      "CREATE TABLE log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, line text);\n"
      "CREATE INDEX log_line ON log (line);\n";
  Add("0001", "log",
      std::string(create) + "INSERT INTO log (line) VALUES ('x'), ('y'), ('z');\nDELETE FROM log WHERE id = 3;\n",
      "DROP TABLE log;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nDROP TABLE log;\n",
      std::string(create) + "INSERT INTO log (line) VALUES ('from the down');\n");
  auto e = Open();
  ASSERT_TRUE(e);
  ASSERT_TRUE(e->Migrate({.to = "0001"}).ok());
  const std::string oid = PgScalar(e->driver(), "SELECT 'log'::regclass::oid");
  ASSERT_TRUE(Ok(e->Migrate({})));
  EXPECT_EQ(PgScalar(e->driver(), "SELECT kind || '|' || row_count || '|' || archive_table FROM dbroll_archives"),
            "renamed|2|dbroll_archive_0002_1");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT 'dbroll_archive.dbroll_archive_0002_1'::regclass::oid"), oid);
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_indexes WHERE schemaname = 'dbroll_archive'"), "2");
  auto list = ListArchives(*e);
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_GT((*list)[0].bytes, 0);
  ASSERT_TRUE(Ok(e->Down({})));
  EXPECT_EQ(PgScalar(e->driver(), "SELECT 'public.log'::regclass::oid"), oid);
  EXPECT_EQ(PgScalar(e->driver(), "SELECT string_agg(id || line, ',' ORDER BY id) FROM log"), "1x,2y");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT indexname FROM pg_indexes WHERE tablename = 'log' AND indexname = "
                                  "'log_line' AND schemaname = 'public'"),
            "log_line");
  ASSERT_TRUE(e->driver().RunStatement({.text = "INSERT INTO log (line) VALUES ('w')"}).ok());
  EXPECT_EQ(PgScalar(e->driver(), "SELECT max(id) FROM log"), "4");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_class WHERE relnamespace = 'dbroll_archive'::regnamespace"),
            "0");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM dbroll_archives"), "0");
}

// A table a view depends on is copied (with CASCADE the view goes, as
// written); a view the down creates over the re-created table makes the
// rollback copy the rows into that table instead of replacing it.
TEST_F(PostgresKeepDataTest, ViewsDecideBetweenRenameAndCopy) {
  const std::string tv = "CREATE TABLE t (id int PRIMARY KEY, v text);\nCREATE VIEW tv AS SELECT * FROM t;\n";
  const std::string u = "CREATE TABLE u (id int PRIMARY KEY, v text);\n";
  Add("0001", "t", tv + u + "INSERT INTO t VALUES (1, 'a');\nINSERT INTO u VALUES (2, 'b');\n",
      "DROP TABLE u;\nDROP VIEW tv;\nDROP TABLE t;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nDROP TABLE t CASCADE;\nDROP TABLE u;\n",
      tv + u + "CREATE VIEW uv AS SELECT * FROM u;\n");
  auto e = Open();
  ASSERT_TRUE(e && Ok(e->Migrate({})));
  EXPECT_EQ(PgScalar(e->driver(), "SELECT string_agg(kind, ',' ORDER BY seq) FROM dbroll_archives"), "table,renamed");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_views WHERE viewname = 'tv'"), "0");
  ASSERT_TRUE(Ok(e->Down({})));
  EXPECT_EQ(PgScalar(e->driver(), "SELECT v FROM tv"), "a");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT v FROM uv"), "b");
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_class WHERE relname LIKE 'dbroll\\_archive\\_%'"), "0");
  // Purge drops the copy and the table renamed aside alike.
  ASSERT_TRUE(Ok(e->driver().RunStatement({.text = "DROP VIEW uv"})));
  ASSERT_TRUE(Ok(e->Migrate({})));
  auto purged = PurgeArchives(*e, {.older_than = std::chrono::seconds(0)});
  ASSERT_TRUE(purged.ok() && purged->size() == 2u) << purged.status().ToString();
  EXPECT_EQ(PgScalar(e->driver(), "SELECT count(*) FROM pg_class WHERE relname LIKE 'dbroll\\_archive\\_%'"), "0");
}

}  // namespace
}  // namespace dbroll::testing
