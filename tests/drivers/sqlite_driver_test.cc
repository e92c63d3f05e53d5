#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

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
// lock and the file runs in WAL mode with synchronous=NORMAL, a marker file
// beside it; releasing the lock checkpoints the run into the database file
// and leaves it as it was: delete mode, no -wal, -journal or marker file,
// synchronous as before, the file lock dropped.
Result<std::unique_ptr<Driver>> OpenHeld(const std::string& path) {
  DriverOptions held;
  held.url = "sqlite:" + path;
  held.settings["sqlite.busy_timeout"] = "0s";
  held.settings["sqlite.hold_file_lock"] = "on";
  return OpenDriver(held);
}

std::string Pragma(Driver& d, const std::string& name) {
  auto r = d.Query("PRAGMA " + name);
  return r.ok() && !r->empty() && r->front()[0] ? *r->front()[0] : "?";
}

TEST(SqliteDriverTest, HeldFileRunsInWalAndIsLeftInDeleteModeWithTheLockDropped) {
  const std::string path = FreshPath(false);
  DriverOptions o;
  o.url = "sqlite:" + path;
  o.settings["sqlite.busy_timeout"] = "0s";
  auto d = OpenHeld(path);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(Pragma(**d, "synchronous"), "2");
  ASSERT_TRUE((*d)->Lock(std::chrono::seconds(1)).ok());
  EXPECT_EQ(JournalMode(**d), "wal");
  EXPECT_EQ(Pragma(**d, "synchronous"), "1");
  EXPECT_TRUE(std::filesystem::exists(path + "-dbroll-wal"));
  ASSERT_TRUE((*d)->RunTransaction({Statement{"CREATE TABLE h (id int)", "", 1, 1, 0}}, {}).ok());
  auto other = OpenDriver(o);
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE((*other)->Query("SELECT count(*) FROM h").ok());
  ASSERT_TRUE((*d)->Unlock().ok());
  EXPECT_EQ(JournalMode(**d), "delete");
  EXPECT_EQ(Pragma(**d, "synchronous"), "2");
  for (const char* left : {"-journal", "-wal", "-shm", "-dbroll-wal"}) {
    EXPECT_FALSE(std::filesystem::exists(path + left)) << left;
  }
  EXPECT_TRUE((*other)->RunTransaction({Statement{"CREATE TABLE k (id int)", "", 1, 1, 0}}, {}).ok());
  EXPECT_EQ(JournalMode(**other), "delete");
}

// A dbroll killed while it held a file in WAL mode leaves the file in WAL
// mode with its marker, and every commit of the run in the -wal file: the
// next dbroll, fleet or not, finds the commits and puts the file back in
// delete mode.
TEST(SqliteDriverTest, FileLeftInWalByAKilledRunIsPutBackInDeleteMode) {
  const std::string path = FreshPath(false);
  for (bool fleet : {true, false}) {
    std::filesystem::remove(path);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto d = OpenHeld(path);
      if (!d.ok() || !(*d)->Lock(std::chrono::seconds(1)).ok()) _exit(2);
      if (!(*d)->RunTransaction({Statement{"CREATE TABLE h (id int)", "", 1, 1, 0}},
                                {"INSERT INTO h VALUES (7)"})
               .ok()) {
        _exit(3);
      }
      _exit(0);  // no destructor: as if killed
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_TRUE(std::filesystem::exists(path + "-dbroll-wal"));
    EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
    DriverOptions plain;
    plain.url = "sqlite:" + path;
    auto d = fleet ? OpenHeld(path) : OpenDriver(plain);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE((*d)->Lock(std::chrono::seconds(1)).ok()) << fleet;
    ASSERT_TRUE((*d)->Unlock().ok()) << fleet;
    EXPECT_EQ(JournalMode(**d), "delete") << fleet;
    auto rows = (*d)->Query("SELECT id FROM h");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->front()[0].value_or(""), "7");
    for (const char* left : {"-journal", "-wal", "-dbroll-wal"}) {
      EXPECT_FALSE(std::filesystem::exists(path + left)) << left << " " << fleet;
    }
  }
}

// A file the user put in WAL mode (no marker) stays so, fleet or not.
TEST(SqliteDriverTest, WalDatabaseKeepsItsJournalMode) {
  auto d = OpenFresh(false);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->RunStatement(Statement{"PRAGMA journal_mode=WAL", "", 1, 1, 0}).ok());
  ASSERT_TRUE((*d)->Lock(std::chrono::seconds(1)).ok());
  EXPECT_EQ(JournalMode(**d), "wal");
  ASSERT_TRUE((*d)->Unlock().ok());
  EXPECT_EQ(JournalMode(**d), "wal");
  d->reset();
  auto held = OpenHeld(FreshPath(true));
  ASSERT_TRUE(held.ok());
  ASSERT_TRUE((*held)->Lock(std::chrono::seconds(1)).ok());
  EXPECT_EQ(Pragma(**held, "synchronous"), "2");
  EXPECT_FALSE(std::filesystem::exists(FreshPath(true) + "-dbroll-wal"));
  ASSERT_TRUE((*held)->Unlock().ok());
  EXPECT_EQ(JournalMode(**held), "wal");
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
