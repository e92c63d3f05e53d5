// Helpers for engine tests: an in-memory migration source and a fresh SQLite file.
#ifndef DBROLL_TESTS_ENGINE_ENGINE_TEST_UTIL_H_
#define DBROLL_TESTS_ENGINE_ENGINE_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dbroll/engine.h"
#include "engine/checksum.h"
#include "tests/support/fault_driver.h"
#include "tests/support/temp_dir.h"

namespace dbroll::testing {

inline Script MakeScript(const std::string& path, const std::string& text) {
  Script s;
  s.path = path;
  s.text = text;
  s.checksum = internal::Sha256Hex(text);
  s.directives = ParseDirectives(path, text, nullptr);
  return s;
}

inline Migration MakeMigration(const std::string& version, const std::string& name, const std::string& up,
                               const std::optional<std::string>& down) {
  Migration m;
  m.version = version;
  m.name = name;
  const std::string dir = "migrations/" + version + "_" + name + "/";
  m.up = MakeScript(dir + "up.sql", up);
  if (down) m.down = MakeScript(dir + "down.sql", *down);
  return m;
}

// The test owns the vector and can change it between engine calls.
class FakeSource : public MigrationSource {
 public:
  explicit FakeSource(std::shared_ptr<std::vector<Migration>> ms) : ms_(std::move(ms)) {}
  Result<std::vector<Migration>> List(Dialect) override { return *ms_; }

 private:
  std::shared_ptr<std::vector<Migration>> ms_;
};

class RecordingObserver : public Observer {
 public:
  std::vector<std::string> events;
  void OnMigrationStart(const Migration& m, Direction d) override {
    events.push_back(std::string(d == Direction::kUp ? "up " : "down ") + m.version);
  }
  void OnSql(const Migration&, Direction, const std::string& sql) override { events.push_back("sql " + sql); }
  void OnNotice(const std::string& message) override { events.push_back("notice " + message); }
};

// A fresh SQLite path in the process's temporary directory (removed at exit;
// a fixture may remove it earlier, the next call makes it again).
inline std::string TempDbPath(const std::string& tag) {
  static int n = 0;
  const auto& dir = ProcessTempDir();
  std::filesystem::create_directories(dir);
  auto p = dir / (tag + std::to_string(++n) + ".db");
  std::filesystem::remove(p);
  return p.string();
}

// A SQLite driver over the file at `path`.
inline std::unique_ptr<Driver> OpenSqliteDriver(const std::string& path) {
  DriverOptions d;
  d.url = "sqlite:" + path;
  auto driver = OpenDriver(d);
  EXPECT_TRUE(driver.ok()) << driver.status().ToString();
  return driver.ok() ? std::move(driver).value() : nullptr;
}

// The first column of the first row of `sql`, "<none>" for no row, "<null>"
// for NULL, "<error MESSAGE>" when the query fails.
inline std::string QueryScalar(Engine& e, const std::string& sql) {
  auto r = e.driver().Query(sql);
  if (!r.ok()) return "<error " + r.status().message() + ">";
  return r->empty() ? "<none>" : r->front()[0].value_or("<null>");
}

// The first row of `sql`, its columns joined by '|' (NULL as "NULL"); "<none>"
// for no row, "error: MESSAGE" when the query fails.
inline std::string QueryRow(Driver& d, const std::string& sql) {
  auto r = d.Query(sql);
  if (!r.ok()) return "error: " + r.status().message();
  if (r->empty()) return "<none>";
  std::string out;
  for (const auto& c : r->front()) out += (out.empty() ? "" : "|") + c.value_or("NULL");
  return out;
}

// The count `sql` selects (a failed query fails the test and gives -1).
inline long long QueryCount(Engine& e, const std::string& sql) {
  auto r = e.driver().Query(sql);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::stoll(*r->front()[0]) : -1;
}

// What the engine tests on SQLite share: a fresh database file, migrations the
// test may change between engine calls, and an observer that records events.
class SqliteEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempDbPath("e");
    ms_ = std::make_shared<std::vector<Migration>>();
  }
  void TearDown() override { std::filesystem::remove_all(std::filesystem::path(path_).parent_path()); }

  void Add(const std::string& v, const std::string& name, const std::string& up,
           const std::optional<std::string>& down) {
    ms_->push_back(MakeMigration(v, name, up, down));
  }
  // The options every engine here starts from: this database, a fixed runner.
  EngineOptions Options() const {
    EngineOptions o;
    o.url = "sqlite:" + path_;
    o.applied_by = "tester@host";
    return o;
  }
  // An engine over `driver` (a plain SQLite driver when null) and ms_.
  std::unique_ptr<Engine> OpenWith(const EngineOptions& o, std::unique_ptr<Driver> driver = nullptr) {
    if (driver == nullptr) driver = OpenSqliteDriver(path_);
    auto e = Engine::Open(std::move(driver), std::make_unique<FakeSource>(ms_), o, &obs_);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }
  // An engine over a FaultDriver around the SQLite file (fault_ points at it);
  // statements holding `non_transactional` run on their own, as MySQL runs DDL.
  std::unique_ptr<Engine> OpenFaulty(const EngineOptions& o, const std::string& non_transactional = "/*ddl*/") {
    auto f = std::make_unique<FaultDriver>(OpenSqliteDriver(path_));
    f->NonTransactional(non_transactional);
    fault_ = f.get();
    obs_.events.clear();
    return OpenWith(o, std::move(f));
  }
  std::string Scalar(Engine& e, const std::string& sql) { return QueryScalar(e, sql); }
  long long Count(Engine& e, const std::string& sql) { return QueryCount(e, sql); }
  bool HasTable(Engine& e, const std::string& t) {
    return Count(e, "SELECT count(*) FROM sqlite_master WHERE name='" + t + "'") == 1;
  }
  std::string One(Engine& e, const std::string& sql) { return QueryRow(e.driver(), sql); }
  bool Noticed(const std::string& text) {
    return std::find(obs_.events.begin(), obs_.events.end(), "notice " + text) != obs_.events.end();
  }
  // Every recorded event, one a line, for a failure message.
  std::string Notices() {
    std::string out;
    for (const auto& e : obs_.events) out += e + "\n";
    return out;
  }

  std::string path_;
  std::shared_ptr<std::vector<Migration>> ms_;
  RecordingObserver obs_;
  FaultDriver* fault_ = nullptr;  // set by OpenFaulty
};

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_ENGINE_ENGINE_TEST_UTIL_H_
