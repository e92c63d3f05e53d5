// What the helpers for the PostgreSQL and MariaDB test servers
// (tests/postgres/pg_server.h, tests/mysql/my_server.h) have in common:
// the environment, URLs, and a driver opened and asked on the spot.
#ifndef DBROLL_TESTS_SUPPORT_DB_SERVER_H_
#define DBROLL_TESTS_SUPPORT_DB_SERVER_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "dbroll/driver.h"

namespace dbroll::testing {

// The value of environment variable `name`, "" when it is not set.
inline std::string EnvValue(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// True when DBROLL_REQUIRE_SERVERS=1: a missing server is then a failure.
inline bool ServersRequired() { return EnvValue("DBROLL_REQUIRE_SERVERS") == "1"; }

// `url` with its database replaced by `db`, query string kept.
inline std::string UrlWithDatabase(const std::string& url, const std::string& db) {
  const size_t sep = url.find("://");
  const size_t slash = url.find('/', sep + 3);
  const size_t q = url.find('?', sep + 3);
  const std::string head = url.substr(0, slash == std::string::npos ? q : slash);
  return head + "/" + db + (q == std::string::npos ? "" : url.substr(q));
}

// A driver opened with `o`; nullptr (and a test failure) when it cannot be.
inline std::unique_ptr<Driver> OpenOrFail(const DriverOptions& o) {
  auto d = OpenDriver(o);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? std::move(d).value() : nullptr;
}

// Runs one statement on a connection of its own to `url`.
inline Status RunStatementOn(const std::string& url, const std::string& sql) {
  DriverOptions o;
  o.url = url;
  auto d = OpenDriver(o);
  if (!d.ok()) return d.status();
  return (*d)->RunStatement(Statement{sql, "", 1, 1, 0});
}

// The database a test owns: a name starting with `prefix` (pgt_, myt_), made
// and dropped with the statements `drop` and `create` run by `admin`.
struct TestDatabaseDdl {
  std::string prefix, drop, create;
  Status (*admin)(const std::string& sql);

  // Drops and creates the database (a test failure when it cannot).
  void Recreate(const std::string& db) const {
    EXPECT_EQ(db.rfind(prefix, 0), 0u) << "tests only touch " << prefix << " databases";
    Status s = admin(drop);
    EXPECT_TRUE(s.ok()) << s.ToString();
    s = admin(create);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // Drops it, when its name has the prefix.
  void Drop(const std::string& db) const {
    if (db.rfind(prefix, 0) == 0) (void)admin(drop);
  }
};

// First column of the first row of `sql`, or a description of what went wrong.
inline std::string FirstValue(Driver& d, const std::string& sql) {
  auto r = d.Query(sql);
  if (!r.ok()) return "<error: " + r.status().message() + ">";
  if (r->empty() || r->front().empty()) return "<no rows>";
  return r->front()[0].value_or("<null>");
}

}  // namespace dbroll::testing

// In a test body: when `missing` holds, fails the test with `fail` in CI
// (DBROLL_REQUIRE_SERVERS=1) and skips it with `skip` elsewhere.
#define DBROLL_NEED_SERVER(missing, fail, skip)                 \
  do {                                                          \
    if (missing) {                                              \
      if (::dbroll::testing::ServersRequired()) FAIL() << fail; \
      GTEST_SKIP() << skip;                                     \
    }                                                           \
  } while (0)

#endif  // DBROLL_TESTS_SUPPORT_DB_SERVER_H_
