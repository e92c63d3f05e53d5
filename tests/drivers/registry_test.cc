// The registry OpenDriver looks up: filled with the drivers built in, and
// open to a driver of the caller's (a fake, in a test).
#include <gtest/gtest.h>

#include <algorithm>

#include "dbroll/driver.h"
#include "drivers/factories.h"

namespace dbroll {
namespace {

// Puts the built-in driver of a dialect back when a test ends.
class RestoreBuiltins {
 public:
  ~RestoreBuiltins() {
    for (Dialect d : {Dialect::kSqlite, Dialect::kPostgres, Dialect::kMysql}) UnregisterDriver(d);
    for (auto& [dialect, factory] : internal::BuiltinDrivers()) EXPECT_TRUE(RegisterDriver(dialect, factory).ok());
  }
};

TEST(DriverRegistryTest, EveryDriverBuiltInIsRegistered) {
  std::vector<Dialect> built;
#ifdef DBROLL_WITH_SQLITE
  built.push_back(Dialect::kSqlite);
#endif
#ifdef DBROLL_WITH_POSTGRES
  built.push_back(Dialect::kPostgres);
#endif
#ifdef DBROLL_WITH_MYSQL
  built.push_back(Dialect::kMysql);
#endif
  EXPECT_EQ(RegisteredDrivers(), built);
}

TEST(DriverRegistryTest, OpenDriverUsesTheRegisteredFactory) {
  RestoreBuiltins restore;
  std::string seen;
  ASSERT_TRUE(RegisterDriver(Dialect::kMysql, [&](const DriverOptions& o) -> Result<std::unique_ptr<Driver>> {
                seen = o.url;
                return Status(Code::kConnectionLost, "fake: no server");
              }).ok());
  DriverOptions o;
  o.url = "mariadb://root@db.example/app";
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kConnectionLost);
  EXPECT_EQ(d.status().message(), "fake: no server");
  EXPECT_EQ(seen, "mariadb://root@db.example/app");
}

TEST(DriverRegistryTest, AnUnregisteredDialectIsUnsupported) {
  RestoreBuiltins restore;
  UnregisterDriver(Dialect::kPostgres);
  const auto registered = RegisteredDrivers();
  EXPECT_EQ(std::count(registered.begin(), registered.end(), Dialect::kPostgres), 0);
  DriverOptions o;
  o.url = "postgres://app:s3cret@db.example/app";
  auto d = OpenDriver(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Code::kUnsupported);
  EXPECT_EQ(d.status().message(),
            "the postgres driver is not built into this dbroll (postgres://app:***@db.example/app) -- rebuild with "
            "-DDBROLL_WITH_POSTGRES=ON");
}

TEST(DriverRegistryTest, AnEmptyFactoryIsRefused) {
  RestoreBuiltins restore;
  Status s = RegisterDriver(Dialect::kSqlite, nullptr);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "RegisterDriver(sqlite): the factory is empty -- to remove a driver call UnregisterDriver");
  const auto registered = RegisteredDrivers();
#ifdef DBROLL_WITH_SQLITE
  EXPECT_EQ(std::count(registered.begin(), registered.end(), Dialect::kSqlite), 1);
#endif
}

// A pooled session that counts how many of its kind are open.
struct CountedSession : SessionPool::Session {
  CountedSession(int* open, std::string label) : open_(open), name(std::move(label)) { ++*open_; }
  ~CountedSession() override { --*open_; }
  int* open_;
  std::string name;
};

std::string NameOf(const std::unique_ptr<SessionPool::Session>& s) {
  auto* c = dynamic_cast<CountedSession*>(s.get());
  return c ? c->name : "(none)";
}

TEST(SessionPoolTest, TakesOnlyASessionOfTheSameKeyNewestFirst) {
  int open = 0;
  SessionPool pool(4);
  pool.Put("db1", std::make_unique<CountedSession>(&open, "a"));
  pool.Put("db2", std::make_unique<CountedSession>(&open, "b"));
  pool.Put("db1", std::make_unique<CountedSession>(&open, "c"));
  EXPECT_EQ(NameOf(pool.Take("db3")), "(none)");
  EXPECT_EQ(NameOf(pool.Take("db1")), "c");
  EXPECT_EQ(NameOf(pool.Take("db1")), "a");
  EXPECT_EQ(NameOf(pool.Take("db1")), "(none)");
  EXPECT_EQ(open, 1);  // b, still idle in the pool
}

TEST(SessionPoolTest, ClosesTheLongestIdleBeyondItsSizeAndAllWhenDestroyed) {
  int open = 0;
  {
    SessionPool pool(2);
    for (const char* name : {"a", "b", "c"}) pool.Put("db", std::make_unique<CountedSession>(&open, name));
    EXPECT_EQ(open, 2);  // a was closed for c
    EXPECT_EQ(NameOf(pool.Take("db")), "c");
    EXPECT_EQ(NameOf(pool.Take("db")), "b");
    EXPECT_EQ(NameOf(pool.Take("db")), "(none)");
    pool.Put("db", std::make_unique<CountedSession>(&open, "d"));
    SessionPool none(0);
    none.Put("db", std::make_unique<CountedSession>(&open, "e"));
    EXPECT_EQ(NameOf(none.Take("db")), "(none)");
    EXPECT_EQ(open, 1);
  }
  EXPECT_EQ(open, 0);
}

}  // namespace
}  // namespace dbroll
