// keep-data on SQLite: destructive statements archive what they destroy and
// the rollback restores it; purge, refusals, and crashes in the middle.
#include <gtest/gtest.h>

#include <fstream>

#include "dbroll/keep_data.h"
#include "dbroll/verify.h"
#include "tests/engine/engine_test_util.h"
#include "tests/support/fault_driver.h"

namespace dbroll::testing {
namespace {

using M = FaultDriver::Method;
using F = FaultDriver::Fault;

const char* kUsers =
    "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, legacy varchar(50));\n"
    "INSERT INTO users (id, email, legacy) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM s WHERE n < "
    "500) SELECT n, 'u' || n || '@x', 'L' || (n * 7) FROM s;\n";
const char* kSum = "SELECT count(*) || '|' || sum(length(legacy)) || '|' || min(legacy) || '|' || max(legacy) FROM users";

class KeepDataTest : public SqliteEngineTest {
 protected:
  long long max_rows_ = 0;  // EngineOptions::keep_data_max_rows
  std::unique_ptr<Engine> Open(bool keep_all = false) {
    EngineOptions o = Options();
    o.keep_data = keep_all;
    o.keep_data_max_rows = max_rows_;
    return OpenFaulty(o);
  }
  std::string Tables(Engine& e) {
    return One(e, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type='table' AND name "
                  "NOT LIKE 'dbroll_history%' AND name != 'dbroll_log' AND name NOT LIKE 'sqlite_%' ORDER BY name)");
  }
  // 0001 creates t (id, v) holding 'a' and 'b'.
  void AddTableT() {
    Add("0001", "t", "CREATE TABLE t (id integer PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a'), (2, 'b');\n",
        "DROP TABLE t;\n");
  }
  // Migrates to 0001, then migrates on until the connection drops at the
  // first transaction whose SQL holds `needle`.
  void MigrateCutAt(const std::string& needle, F fault) {
    auto e = Open();
    ASSERT_TRUE(e->Migrate({.to = "0001"}).ok());
    fault_->FailWhen(M::kRunTransaction, needle, fault);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
  }
};

TEST_F(KeepDataTest, DropColumnAndDropTableComeBackWithEveryValue) {
  Add("0001", "users", std::string(kUsers) + "CREATE TABLE audit (id integer PRIMARY KEY, what varchar(50));\n"
                                             "INSERT INTO audit VALUES (1, 'a'), (2, 'b'), (3, 'c');\n",
      "DROP TABLE audit;\nDROP TABLE users;\n");
  Add("0002", "drop_legacy", "-- dbroll:keep-data\nALTER TABLE users DROP COLUMN legacy;\n",
      "ALTER TABLE users ADD COLUMN legacy varchar(50);\n");
  Add("0003", "drop_audit", "-- dbroll:keep-data\nDROP TABLE audit;\n",
      "CREATE TABLE audit (id integer PRIMARY KEY, what varchar(50));\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.to = "0001"}).ok());
  const std::string before = One(*e, kSum);
  EXPECT_EQ(before, "500|2343|L1001|L994");
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(Noticed("0002_drop_legacy: keep-data archived users.legacy in dbroll_archive_0002_1 (500 rows); a "
                      "rollback restores it, a purge removes it"));
  EXPECT_EQ(Tables(*e), "dbroll_archive_0002_1,dbroll_archive_0003_1,dbroll_archives,users");
  auto list = ListArchives(*e);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].kind, "column");
  EXPECT_EQ((*list)[0].columns, "legacy");
  EXPECT_EQ((*list)[0].rows, 500);
  EXPECT_EQ((*list)[1].kind, "renamed");
  EXPECT_EQ((*list)[1].rows, 3);
  ASSERT_TRUE(e->Down({.steps = 2}).ok());
  EXPECT_EQ(One(*e, kSum), before);
  EXPECT_EQ(One(*e, "SELECT group_concat(what, '') FROM (SELECT what FROM audit ORDER BY id)"), "abc");
  EXPECT_EQ(Tables(*e), "audit,dbroll_archives,users");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_archives"), "0");
  EXPECT_TRUE(Noticed("0002_drop_legacy: keep-data restored users.legacy from dbroll_archive_0002_1 (500 rows) and "
                      "removed the archive"));
}

TEST_F(KeepDataTest, TruncateMarkedDeleteAndMarkedUpdateAreRestored) {
  Add("0001", "t",
      "CREATE TABLE t (id integer PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');\n"
      "CREATE TABLE u (id integer PRIMARY KEY, v text);\nINSERT INTO u VALUES (1, 'x'), (2, 'y');\n",
      "DROP TABLE u;\nDROP TABLE t;\n");
  Add("0002", "shrink",
      "DELETE FROM t WHERE id = 3;  -- not marked: gone for good\n"
      "-- dbroll:keep-data\nUPDATE t SET v = 'zz' WHERE id = 1;\n"
      "-- dbroll:keep-data\nDELETE FROM t WHERE id = 2;\n"
      "-- dbroll:keep-data\nDELETE FROM u;\n",
      "SELECT 1;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT group_concat(id || v, ',') FROM t"), "1zz");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_archives"), "3");
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(One(*e, "SELECT group_concat(id || v, ',') FROM (SELECT * FROM t ORDER BY id)"), "1a,2b");
  EXPECT_EQ(One(*e, "SELECT group_concat(id || v, ',') FROM (SELECT * FROM u ORDER BY id)"), "1x,2y");
}

TEST_F(KeepDataTest, ConfigKeepDataCoversEveryUp) {
  Add("0001", "t", "CREATE TABLE t (id integer PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a');\n", "DROP TABLE t;\n");
  Add("0002", "drop", "ALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  auto e = Open(/*keep_all=*/true);
  ASSERT_TRUE(e->Migrate({}).ok());
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(One(*e, "SELECT v FROM t"), "a");
}

TEST_F(KeepDataTest, TableWithoutPrimaryKeyIsRefusedBeforeAnythingRuns) {
  Add("0001", "t", "CREATE TABLE t (a int, v text);\nINSERT INTO t VALUES (1, 'a');\n", "DROP TABLE t;\n");
  Add("0002", "drop", "CREATE TABLE other (id int);\n-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n",
      "ALTER TABLE t ADD COLUMN v text;\nDROP TABLE other;\n");
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0002_drop/up.sql:3:1: keep-data: table t has no primary key and no unique key on NOT NULL "
            "columns, so archived values could not be matched back to their rows -- add a primary key first, or "
            "remove the keep-data mark and the data is lost; nothing was applied");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM sqlite_master WHERE name = 'other'"), "0");
  EXPECT_EQ(One(*e, "SELECT v FROM t"), "a");
}

TEST_F(KeepDataTest, UniqueNotNullKeyServesWhenThereIsNoPrimaryKey) {
  Add("0001", "t",
      "CREATE TABLE t (code text NOT NULL, region int NOT NULL, nick text UNIQUE, v text, UNIQUE (region, code));\n"
      "INSERT INTO t VALUES ('a', 1, 'x', 'va'), ('a', 2, NULL, 'vb'), ('b', 1, NULL, 'vc');\n",
      "DROP TABLE t;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  auto e = Open();
  Status up = e->Migrate({});
  ASSERT_TRUE(up.ok()) << up.ToString();
  Status down = e->Down({});
  ASSERT_TRUE(down.ok()) << down.ToString();
  EXPECT_EQ(One(*e, "SELECT group_concat(code || region || '=' || v, ',') FROM (SELECT * FROM t ORDER BY code, region)"),
            "a1=va,a2=vb,b1=vc");
}

TEST_F(KeepDataTest, ATableAboveTheRowBoundIsRefusedBeforeAnythingRuns) {
  Add("0001", "t", "CREATE TABLE t (id integer PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c');\n",
      "DROP TABLE t;\n");
  Add("0002", "drop", "CREATE TABLE other (id int);\n-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n",
      "ALTER TABLE t ADD COLUMN v text;\nDROP TABLE other;\n");
  max_rows_ = 2;
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0002_drop/up.sql:3:1: keep-data: table t holds about 3 rows, more than [migrations] "
            "keep_data_max_rows = 2 allows to archive -- raise the bound, or archive the table another way and remove "
            "the keep-data mark; nothing was applied");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM sqlite_master WHERE name = 'other'"), "0");
  max_rows_ = 3;
  auto f = Open();
  Status ok = f->Migrate({});
  EXPECT_TRUE(ok.ok()) << ok.ToString();
}

TEST_F(KeepDataTest, AUniqueKeyOnANullableColumnIsNoKey) {
  Add("0001", "t", "CREATE TABLE t (nick text UNIQUE, v text);\nINSERT INTO t VALUES ('x', 'a');\n", "DROP TABLE t;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  auto e = Open();
  EXPECT_EQ(e->Migrate({}).code(), Code::kInvalidArgument);
  EXPECT_EQ(One(*e, "SELECT v FROM t"), "a");
}

TEST_F(KeepDataTest, PurgedArchiveRefusesTheRollbackUnlessWithoutData) {
  Add("0001", "t", "CREATE TABLE t (id integer PRIMARY KEY, v text);\nINSERT INTO t VALUES (1, 'a');\n", "DROP TABLE t;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(PurgeArchives(*e, {}).status().message(),
            "purge needs --before-release TAG or --older-than DURATION (e.g. 30d) -- nothing was purged");
  auto young = PurgeArchives(*e, {.older_than = std::chrono::hours(24)});
  ASSERT_TRUE(young.ok());
  EXPECT_TRUE(young->empty());
  auto purged = PurgeArchives(*e, {.older_than = std::chrono::seconds(0)});
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  ASSERT_EQ(purged->size(), 1u);
  EXPECT_EQ(One(*e, "SELECT count(*) FROM sqlite_master WHERE name = 'dbroll_archive_0002_1'"), "0");
  auto list = ListArchives(*e);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_TRUE((*list)[0].purged_at.has_value());
  Status s = e->Down({});
  EXPECT_EQ(s.code(), Code::kIrreversible);
  EXPECT_EQ(s.message(), "version 0002_drop: its keep-data archive of t.v was purged at " + *(*list)[0].purged_at +
                             ", so the rollback would re-create the structure without the data -- roll back without "
                             "data to accept that, or restore from a backup; nothing was rolled back");
  EXPECT_EQ(s.remedy(), Remedy::kRunDownWithoutData);
  ASSERT_TRUE(e->Down({.without_data = true}).ok());
  EXPECT_EQ(One(*e, "SELECT v FROM t"), "NULL");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_archives"), "0");
}

TEST_F(KeepDataTest, PurgeBeforeReleaseKeepsNewerVersions) {
  Add("0001", "t", "CREATE TABLE t (id integer PRIMARY KEY, v text, w text);\nINSERT INTO t VALUES (1, 'a', 'b');\n",
      "DROP TABLE t;\n");
  Add("0002", "v", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  Add("0003", "w", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN w;\n", "ALTER TABLE t ADD COLUMN w text;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.to = "0002", .release = "r1"}).ok());
  ASSERT_TRUE(e->Migrate({.release = "r2"}).ok());
  auto purged = PurgeArchives(*e, {.before_release = "r1"});
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  ASSERT_EQ(purged->size(), 1u);
  EXPECT_EQ((*purged)[0].version, "0002");
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(One(*e, "SELECT w FROM t"), "b");
}

TEST_F(KeepDataTest, ConnectionLostAfterTheArchiveRerunFinishesAndDownRestores) {
  AddTableT();
  Add("0002", "drop",
      "-- dbroll:keep-data\n-- dbroll:no-transaction\nALTER TABLE t DROP COLUMN v /*ddl*/;\nCREATE TABLE x (id int /*ddl*/);\n",
      "-- dbroll:no-transaction\nDROP TABLE x;\nALTER TABLE t ADD COLUMN v text;\n");
  MigrateCutAt("INSERT INTO \"dbroll_archives\"", F::kLostAfter);
  {
    auto e = Open();
    ASSERT_TRUE(e->Migrate({}).ok());
    EXPECT_EQ(One(*e, "SELECT state, statements_done FROM dbroll_history WHERE version = '0002'"), "applied|4");
    EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_archive_0002_1"), "2");
    // The restore is cut off after putting the values back: the rerun
    // finishes dropping the archive.
    fault_->FailWhen(M::kRunTransaction, "DROP TABLE IF EXISTS \"dbroll_archive_0002_1\"", F::kLostAfter);
    EXPECT_EQ(e->Down({}).code(), Code::kConnectionLost);
  }
  auto e = Open();
  Status s = e->Down({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(One(*e, "SELECT group_concat(v, '') FROM (SELECT v FROM t ORDER BY id)"), "ab");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM sqlite_master WHERE name GLOB 'dbroll_archive_[0-9]*'"), "0");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_archives"), "0");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_history WHERE version = '0002'"), "0");
}

TEST_F(KeepDataTest, MissingArchiveRefusesTheRollback) {
  Add("0001", "t", "CREATE TABLE t (id integer PRIMARY KEY, v text);\n", "DROP TABLE t;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nALTER TABLE t DROP COLUMN v;\n", "ALTER TABLE t ADD COLUMN v text;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  ASSERT_TRUE(e->driver().RunStatement({.text = "DROP TABLE dbroll_archive_0002_1"}).ok());
  Status s = e->Down({});
  EXPECT_EQ(s.message(),
            "migrations/0002_drop/down.sql: keep-data: the archive table dbroll_archive_0002_1 of version 0002 is "
            "missing, so the data it held cannot be restored -- restore that table from a backup, or roll back with "
            "--without-data (the data is then lost); nothing was rolled back");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_history WHERE version = '0002'"), "1");
}

// DROP TABLE renames the table aside: the rollback gets back the very table,
// with its rows, its indexes and its AUTOINCREMENT counter, whatever the down
// put into the table it re-created.
TEST_F(KeepDataTest, DroppedTableIsRenamedAsideAndComesBackWithItsIndexes) {
  const std::string audit = "CREATE TABLE audit (id integer PRIMARY KEY AUTOINCREMENT, what varchar(50) UNIQUE);\n";
  Add("0001", "audit", audit + "INSERT INTO audit (what) VALUES ('a'), ('b'), ('c');\nDELETE FROM audit WHERE id = 3;\n",
      "DROP TABLE audit;\n");
  Add("0002", "drop_audit", "-- dbroll:keep-data\nDROP TABLE audit;\n",
      audit + "INSERT INTO audit (what) VALUES ('from the down');\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(Noticed("0002_drop_audit: keep-data renamed audit aside to dbroll_archive_0002_1 (2 rows); a rollback "
                      "renames it back, a purge drops it"));
  EXPECT_EQ(Tables(*e), "dbroll_archive_0002_1,dbroll_archives");
  auto listed = ListArchives(*e);
  ASSERT_TRUE(listed.ok() && listed->size() == 1u);
  EXPECT_GT((*listed)[0].bytes, 0);  // status counts its size
  EXPECT_EQ(One(*e, "SELECT group_concat(name) FROM sqlite_master WHERE tbl_name = 'dbroll_archive_0002_1' AND "
                    "type = 'index'"),
            "sqlite_autoindex_dbroll_archive_0002_1_1");
  EXPECT_TRUE(fault_->Calls("CREATE TABLE \"dbroll_archive_0002_1\" AS").empty());
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(One(*e, "SELECT group_concat(id || what, ',') FROM (SELECT id, what FROM audit ORDER BY id)"), "1a,2b");
  EXPECT_EQ(One(*e, "SELECT group_concat(name) FROM sqlite_master WHERE tbl_name = 'audit' AND type = 'index'"),
            "sqlite_autoindex_audit_1");
  EXPECT_EQ(One(*e, "SELECT seq FROM sqlite_sequence WHERE name = 'audit'"), "3");
  EXPECT_EQ(Tables(*e), "audit,dbroll_archives");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_archives"), "0");
  // Applied again and purged, the table renamed aside is dropped.
  ASSERT_TRUE(e->Migrate({}).ok());
  ASSERT_EQ(PurgeArchives(*e, {.older_than = std::chrono::seconds(0)}).value().size(), 1u);
  EXPECT_EQ(Tables(*e), "dbroll_archives");
}

// A table something else refers to is copied: a rename would drag the
// reference along (SQLite rewrites views, triggers and foreign keys), and
// the down re-creates its named indexes, whose names a rename keeps taken.
TEST_F(KeepDataTest, DroppedTableWithANamedIndexOrAViewIsCopied) {
  Add("0001", "t",
      "CREATE TABLE t (id integer PRIMARY KEY, v text);\nCREATE INDEX t_v ON t (v);\n"
      "CREATE TABLE u (id integer PRIMARY KEY);\nCREATE VIEW uv AS SELECT id FROM u;\n"
      "INSERT INTO t VALUES (1, 'a');\nINSERT INTO u VALUES (7);\n",
      "DROP VIEW uv;\nDROP TABLE u;\nDROP TABLE t;\n");
  Add("0002", "drop", "-- dbroll:keep-data\nDROP TABLE t;\nDROP TABLE u;\n",
      "CREATE TABLE u (id integer PRIMARY KEY);\nCREATE TABLE t (id integer PRIMARY KEY, v text);\n"
      "CREATE INDEX t_v ON t (v);\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  auto list = ListArchives(*e);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].kind, "table");
  EXPECT_EQ((*list)[1].kind, "table");
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(One(*e, "SELECT v FROM t INDEXED BY t_v"), "a");
  EXPECT_EQ(One(*e, "SELECT id FROM uv"), "7");
}

TEST_F(KeepDataTest, ConnectionLostBetweenRenameAndRecordRerunFinishesAndDownRenamesBack) {
  const std::string no_tx = "-- dbroll:no-transaction\n";
  AddTableT();
  Add("0002", "drop", "-- dbroll:keep-data\n" + no_tx + "DROP TABLE t;\nCREATE TABLE x (id int /*ddl*/);\n",
      no_tx + "DROP TABLE x;\nCREATE TABLE t (id integer PRIMARY KEY, v text);\n");
  // The rename committed; the catalog row never reached the server.
  MigrateCutAt("INSERT INTO \"dbroll_archives\"", F::kLostBefore);
  {
    auto e = Open();
    EXPECT_EQ(Tables(*e), "dbroll_archive_0002_1,dbroll_archives");
    ASSERT_TRUE(e->Migrate({}).ok());
    EXPECT_EQ(One(*e, "SELECT state, statements_done, kind, row_count FROM dbroll_history h JOIN dbroll_archives a "
                      "ON a.version = h.version"),
              "applied|3|renamed|2");
    // The down is cut off after dropping the re-created table, before the
    // archive is renamed back: the rerun finishes.
    fault_->FailWhen(M::kRunTransaction, "ALTER TABLE \"dbroll_archive_0002_1\" RENAME TO t", F::kLostBefore);
    EXPECT_EQ(e->Down({}).code(), Code::kConnectionLost);
  }
  auto e = Open();
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(Tables(*e), "dbroll_archives,t");
  EXPECT_EQ(One(*e, "SELECT group_concat(id || v, ',') FROM t"), "1a,2b");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_history WHERE version = '0002'"), "0");
}

// verify --data on a project on disk.
class VerifyDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(TempDbPath("v")).parent_path() / "proj";
    std::filesystem::create_directories(dir_ / "migrations");
  }
  void TearDown() override { std::filesystem::remove_all(dir_.parent_path()); }
  void Pair(const std::string& name, const std::string& up, const std::string& down) {
    std::filesystem::create_directories(dir_ / "migrations" / name);
    std::ofstream(dir_ / "migrations" / name / "up.sql") << up;
    std::ofstream(dir_ / "migrations" / name / "down.sql") << down;
  }
  Result<VerifyReport> Run() {
    EngineOptions o;
    o.url = "sqlite:" + (dir_ / "unused.db").string();
    o.base_dir = dir_.string();
    return Verify(o, {.data = true});
  }
  std::filesystem::path dir_;
};

TEST_F(VerifyDataTest, DownThatLosesValuesIsReportedPerColumnAndKeepDataPasses) {
  // Empty tables are seeded with generated rows by column type.
  Pair("0001_users", "CREATE TABLE users (id integer PRIMARY KEY, email varchar(200) NOT NULL, legacy varchar(5));\n",
       "DROP TABLE users;\n");
  Pair("0002_drop_legacy", "ALTER TABLE users DROP COLUMN legacy;\n", "ALTER TABLE users ADD COLUMN legacy varchar(5);\n");
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->versions.size(), 2u);
  EXPECT_TRUE(r->versions[0].findings.empty());
  ASSERT_EQ(r->versions[1].findings.size(), 1u);
  EXPECT_EQ(r->versions[1].findings[0].rule, "verify-data-lost");
  EXPECT_EQ(r->versions[1].findings[0].message,
            "0002_drop_legacy: down restores column users.legacy but its values are lost (20 rows)");
  Pair("0002_drop_legacy", "-- dbroll:keep-data\nALTER TABLE users DROP COLUMN legacy;\n",
       "ALTER TABLE users ADD COLUMN legacy varchar(5);\n");
  auto kept = Run();
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_TRUE(kept->ok());
}

TEST_F(VerifyDataTest, DroppedTableRecreatedEmptyIsReported) {
  Pair("0001_audit", "CREATE TABLE audit (id integer PRIMARY KEY, at timestamp, ok boolean, n numeric);\n",
       "DROP TABLE audit;\n");
  Pair("0002_drop", "DROP TABLE audit;\n", "CREATE TABLE audit (id integer PRIMARY KEY, at timestamp, ok boolean, n numeric);\n");
  auto r = Run();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->versions[1].findings.size(), 1u);
  EXPECT_EQ(r->versions[1].findings[0].message, "0002_drop: down restores table audit but its rows are lost (20 rows)");
  Pair("0002_drop", "-- dbroll:keep-data\nDROP TABLE audit;\n",
       "CREATE TABLE audit (id integer PRIMARY KEY, at timestamp, ok boolean, n numeric);\n");
  auto kept = Run();
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_TRUE(kept->ok()) << (kept->versions[1].findings.empty() ? "" : kept->versions[1].findings[0].message);
}

}  // namespace
}  // namespace dbroll::testing
