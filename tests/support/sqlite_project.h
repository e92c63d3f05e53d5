// A SQLite project for unit tests: one paired migration (0001_users) in
// `dir`/migrations and an Engine on `dir`/app.db.
#ifndef DBROLL_TESTS_SUPPORT_SQLITE_PROJECT_H_
#define DBROLL_TESTS_SUPPORT_SQLITE_PROJECT_H_

#include <filesystem>
#include <fstream>
#include <memory>

#include "dbroll/engine.h"

namespace dbroll::testing {

inline Result<std::unique_ptr<Engine>> OpenSqliteProject(const std::filesystem::path& dir,
                                                         Observer* observer = nullptr) {
  std::filesystem::create_directories(dir / "migrations" / "0001_users");
  std::ofstream(dir / "migrations" / "0001_users" / "up.sql") << "CREATE TABLE users (id integer);\n";
  std::ofstream(dir / "migrations" / "0001_users" / "down.sql") << "DROP TABLE users;\n";
  EngineOptions o;
  o.url = "sqlite:" + (dir / "app.db").string();
  o.base_dir = dir.string();
  return Engine::Open(o, observer);
}

}  // namespace dbroll::testing

#endif  // DBROLL_TESTS_SUPPORT_SQLITE_PROJECT_H_
