// The PostgreSQL server of the integration tests: DBROLL_TEST_PG_URL (set by
// `eval "$(scripts/start-servers)"`). Tests create their own databases named
// pgt_* and drop only those.
#ifndef DBROLL_TESTS_POSTGRES_PG_SERVER_H_
#define DBROLL_TESTS_POSTGRES_PG_SERVER_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "dbroll/driver.h"
#include "tests/support/db_server.h"

namespace dbroll::testing {

inline std::string PgAdminUrl() { return EnvValue("DBROLL_TEST_PG_URL"); }

// `url` with its database replaced by `db`.
inline std::string PgUrlFor(const std::string& db, const std::string& url = PgAdminUrl()) {
  return UrlWithDatabase(url, db);
}

// A pgt_ name unique to this process: pgt_<stem>_<pid>.
inline std::string PgName(const std::string& stem) { return "pgt_" + stem + "_" + std::to_string(getpid()); }

// Runs one statement on the server's admin database.
inline Status PgAdmin(const std::string& sql) { return RunStatementOn(PgAdminUrl(), sql); }

inline TestDatabaseDdl PgDdl(const std::string& db) {
  return {"pgt_", "DROP DATABASE IF EXISTS \"" + db + "\" WITH (FORCE)", "CREATE DATABASE \"" + db + "\"", PgAdmin};
}

inline void PgDropDatabase(const std::string& db) { PgDdl(db).Drop(db); }

// Drops and creates database `db` (a pgt_ name); returns its URL.
inline std::string PgFreshDatabase(const std::string& db) {
  PgDdl(db).Recreate(db);
  return PgUrlFor(db);
}

// Opens a driver on `url` with extra [postgres] settings.
inline std::unique_ptr<Driver> PgOpen(const std::string& url, std::map<std::string, std::string> settings = {},
                                      const std::string& schema = "") {
  return OpenOrFail({.url = url, .schema = schema, .settings = std::move(settings)});
}

// First column of the first row of `sql`, or "<error>".
inline std::string PgScalar(Driver& d, const std::string& sql) { return FirstValue(d, sql); }

// Waits until `sql` answers `want`, polling (the server offers no event to
// wait on for another session's locks or statements); false after `limit`.
inline bool PgAwait(Driver& d, const std::string& sql, const std::string& want,
                    std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (PgScalar(d, sql) != want) {
    if (std::chrono::steady_clock::now() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A query counting the granted ACCESS EXCLUSIVE locks on table `name`.
inline std::string PgExclusiveLocksOn(const std::string& name) {
  return "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '" + name +
         "' AND l.mode = 'AccessExclusiveLock' AND l.granted";
}

}  // namespace dbroll::testing

// Skips the test without a server, or fails it when CI demands servers.
#define DBROLL_REQUIRE_PG()                                                                            \
  DBROLL_NEED_SERVER(::dbroll::testing::PgAdminUrl().empty(),                                          \
                     "DBROLL_TEST_PG_URL is not set but DBROLL_REQUIRE_SERVERS=1",                     \
                     "DBROLL_TEST_PG_URL is not set (eval \"$(scripts/start-servers)\")")

#endif  // DBROLL_TESTS_POSTGRES_PG_SERVER_H_
