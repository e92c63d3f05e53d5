// Helpers for engine tests: an in-memory migration source and a fresh SQLite file.
#ifndef DBROLL_TESTS_ENGINE_ENGINE_TEST_UTIL_H_
#define DBROLL_TESTS_ENGINE_ENGINE_TEST_UTIL_H_

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "dbroll/engine.h"
#include "engine/checksum.h"
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

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_ENGINE_ENGINE_TEST_UTIL_H_
