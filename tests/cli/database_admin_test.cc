// dbroll create / drop / wait against the real servers: the database the URL
// names is made and removed through the server's maintenance database.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dbroll/database_admin.h"
#include "tests/mysql/my_server.h"
#include "tests/postgres/pg_server.h"

namespace dbroll::testing {
namespace {

void CreateWaitDrop(const std::string& url, const std::string& server_url, const std::string& exists_sql) {
  DriverOptions o;
  o.url = url;
  bool existed = true;
  ASSERT_TRUE(CreateDatabase(o, &existed).ok());
  EXPECT_FALSE(existed);
  DriverOptions server;
  server.url = server_url;
  auto admin = OpenDriver(server);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  auto rows = (*admin)->Query(exists_sql);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 1u);
  ASSERT_TRUE(CreateDatabase(o, &existed).ok());
  EXPECT_TRUE(existed);
  EXPECT_TRUE(WaitForDatabase(o, std::chrono::seconds(5)).ok());
  ASSERT_TRUE(DropDatabase(o, &existed).ok());
  EXPECT_TRUE(existed);
  rows = (*admin)->Query(exists_sql);
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->size(), 0u);
  ASSERT_TRUE(DropDatabase(o, &existed).ok());
  EXPECT_FALSE(existed);
  // The server answers though the database is gone: wait is done (create may follow).
  EXPECT_TRUE(WaitForDatabase(o, std::chrono::seconds(5)).ok());
}

TEST(DatabaseAdminPostgresTest, CreateWaitDrop) {
  DBROLL_REQUIRE_PG();
  const std::string db = PgName("admin");
  PgDropDatabase(db);
  CreateWaitDrop(PgUrlFor(db), PgAdminUrl(), "SELECT 1 FROM pg_database WHERE datname = '" + db + "'");
  PgDropDatabase(db);
}

TEST(DatabaseAdminMysqlTest, CreateWaitDrop) {
  DBROLL_NEED_MYSQL();
  const std::string db = MyName("admin");
  MyDropDatabase(db);
  CreateWaitDrop(MyUrlFor(db), MyAdminUrl(),
                 "SELECT 1 FROM information_schema.schemata WHERE schema_name = '" + db + "'");
  MyDropDatabase(db);
}

// docs/mysql.md promises that status names the server's flavour and version.
TEST(DatabaseAdminMysqlTest, StatusPrintsTheServerVersion) {
  DBROLL_NEED_MYSQL();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("dbroll-status-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir / "migrations");
  const std::string out = (dir / "out.txt").string();
  const std::string cmd = std::string("'") + DBROLL_BINARY + "' -C '" + dir.string() + "' --url '" + MyAdminUrl() +
                          "' status --format json >'" + out + "' 2>&1";
  (void)std::system(cmd.c_str());
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::remove_all(dir);
  EXPECT_NE(text.str().find("\"server\": \"MariaDB 10."), std::string::npos) << text.str();
}

}  // namespace
}  // namespace dbroll::testing
