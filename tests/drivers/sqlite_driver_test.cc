#include <sqlite3.h>

#include <filesystem>

#include "tests/drivers/conformance.h"
#include "tests/support/temp_dir.h"

namespace dbroll::testing {
namespace {

std::string FreshPath(bool same) {
  static int n = 0;
  static std::string current;
  if (!same) {
    const auto& dir = ProcessTempDir();
    current = (dir / ("db" + std::to_string(++n) + ".sqlite")).string();
    std::filesystem::remove(current);
  }
  return current;
}

Result<std::unique_ptr<Driver>> OpenFresh(bool same) {
  DriverOptions o;
  o.url = "sqlite:" + FreshPath(same);
  return OpenDriver(o);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, DriverConformance, ::testing::Values(DriverFactory{"sqlite", &OpenFresh}));

TEST(SqliteDriverTest, VacuumMustRunOutsideATransaction) {
  auto d = OpenFresh(false);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE((*d)->NonTransactionalReason(Statement{"vacuum", "", 1, 1, 0}).has_value());
  EXPECT_FALSE((*d)->NonTransactionalReason(Statement{"CREATE TABLE x (id int)", "", 1, 1, 0}).has_value());
}

std::string JournalMode(Driver& d) {
  auto r = d.Query("PRAGMA journal_mode");
  return r.ok() && !r->empty() && r->front()[0] ? *r->front()[0] : "?";
}

TEST(SqliteDriverTest, JournalIsPersistentOnlyWhileLockedAndIsRemovedAfter) {
  const std::string path = FreshPath(false);
  auto d = OpenFresh(true);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(JournalMode(**d), "delete");
  ASSERT_TRUE((*d)->Lock(std::chrono::seconds(1)).ok());
  EXPECT_EQ(JournalMode(**d), "persist");
  ASSERT_TRUE((*d)->RunTransaction({Statement{"CREATE TABLE j (id int)", "", 1, 1, 0}}, {}).ok());
  EXPECT_TRUE(std::filesystem::exists(path + "-journal"));
  ASSERT_TRUE((*d)->Unlock().ok());
  EXPECT_EQ(JournalMode(**d), "delete");
  EXPECT_FALSE(std::filesystem::exists(path + "-journal"));
  // The file lock is free again: another connection writes without waiting.
  DriverOptions o;
  o.url = "sqlite:" + path;
  o.settings["sqlite.busy_timeout"] = "0s";
  auto other = OpenDriver(o);
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE((*other)->RunTransaction({Statement{"CREATE TABLE k (id int)", "", 1, 1, 0}}, {}).ok());
  EXPECT_FALSE(std::filesystem::exists(path + "-journal"));
}

// The fleet's setting: SQLite's own file lock is kept while dbroll holds its
// lock, and dropped (with the journal file) when it releases it.
TEST(SqliteDriverTest, HeldFileLockIsDroppedWithTheLock) {
  const std::string path = FreshPath(false);
  DriverOptions o;
  o.url = "sqlite:" + path;
  o.settings["sqlite.busy_timeout"] = "0s";
  DriverOptions held = o;
  held.settings["sqlite.hold_file_lock"] = "on";
  auto d = OpenDriver(held);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->Lock(std::chrono::seconds(1)).ok());
  ASSERT_TRUE((*d)->RunTransaction({Statement{"CREATE TABLE h (id int)", "", 1, 1, 0}}, {}).ok());
  auto other = OpenDriver(o);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->Query("SELECT count(*) FROM h").ok());
  ASSERT_TRUE((*d)->Unlock().ok());
  EXPECT_EQ(JournalMode(**d), "delete");
  EXPECT_FALSE(std::filesystem::exists(path + "-journal"));
  EXPECT_TRUE((*other)->RunTransaction({Statement{"CREATE TABLE k (id int)", "", 1, 1, 0}}, {}).ok());
}

TEST(SqliteDriverTest, WalDatabaseKeepsItsJournalMode) {
  auto d = OpenFresh(false);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->RunStatement(Statement{"PRAGMA journal_mode=WAL", "", 1, 1, 0}).ok());
  ASSERT_TRUE((*d)->Lock(std::chrono::seconds(1)).ok());
  EXPECT_EQ(JournalMode(**d), "wal");
  ASSERT_TRUE((*d)->Unlock().ok());
  EXPECT_EQ(JournalMode(**d), "wal");
}

// A fleet runs one connection per worker thread: once the driver opened a
// database, SQLite runs in multi-thread mode (a new connection has no mutex
// of its own) without memory statistics (nothing counts the bytes in use),
// so workers do not queue on process-wide mutexes.
TEST(SqliteDriverTest, OpeningConfiguresSqliteForOneConnectionPerThread) {
  auto d = OpenFresh(false);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->RunStatement(Statement{"CREATE TABLE m (id int)", "", 1, 1, 0}).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_db_mutex(db), nullptr);
  EXPECT_EQ(sqlite3_exec(db, "CREATE TABLE x (v text); INSERT INTO x VALUES ('a')", nullptr, nullptr, nullptr),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_memory_used(), 0);
  sqlite3_close(db);
}

TEST(SqliteDriverTest, UnopenablePathIsAClearError) {
  DriverOptions o;
  o.url = "sqlite:/nonexistent-dir/x/y.db";
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("/nonexistent-dir/x/y.db: cannot open the SQLite database"), std::string::npos)
      << d.status().message();
}

}  // namespace
}  // namespace dbroll::testing
