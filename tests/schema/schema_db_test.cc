// verify, drift and snapshot stability on real databases. Built twice: for
// SQLite (unit) and, with DBROLL_SCHEMA_SERVERS, for PostgreSQL and MariaDB
// (integration; URLs from DBROLL_TEST_PG_URL / DBROLL_TEST_MYSQL_URL).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "dbroll/schema.h"
#include "dbroll/verify.h"
#include "engine/history.h"
#include "engine/scratch.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SchemaDbTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = c == '/' ? '_' : c;
    dir_ = fs::temp_directory_path() / ("dbroll_schema_test_" + std::to_string(getpid()) + "_" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    url_ = NewDatabase("a");
  }
  void TearDown() override {
    for (const std::string& db : databases_) {
      const std::string drop = "DROP DATABASE IF EXISTS " + internal::QuoteIdent(GetParam(), db) +
                               (GetParam() == Dialect::kPostgres ? " WITH (FORCE)" : "");
      (void)admin_->RunStatement(Statement{drop, "", 1, 1, 0});
    }
    fs::remove_all(dir_);
  }

  // A fresh, empty database; "" (and the test skipped or failed) without a server.
  std::string NewDatabase(const std::string& suffix) {
    if (GetParam() == Dialect::kSqlite) return "sqlite:" + (dir_ / (suffix + ".db")).string();
    const char* env = std::getenv(GetParam() == Dialect::kPostgres ? "DBROLL_TEST_PG_URL" : "DBROLL_TEST_MYSQL_URL");
    if (!env || !*env) return "";
    if (!admin_) {
      DriverOptions o;
      o.url = env;
      auto d = OpenDriver(o);
      if (!d.ok()) return "";
      admin_ = std::move(d).value();
    }
    std::string name = "vfy_" + std::to_string(getpid()) + "_" + suffix + "_" +
                       ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c == '/' ? '_' : c)));
    name = name.substr(0, 60);
    const std::string q = internal::QuoteIdent(GetParam(), name);
    (void)admin_->RunStatement(Statement{"DROP DATABASE IF EXISTS " + q, "", 1, 1, 0});
    if (!admin_->RunStatement(Statement{"CREATE DATABASE " + q, "", 1, 1, 0}).ok()) return "";
    databases_.push_back(name);
    return internal::ReplaceUrlDatabase(env, name);
  }

  bool NoServer() const { return url_.empty(); }

  void Add(const std::string& project, const std::string& migration, const std::string& up,
           const std::string& down) {
    fs::path m = dir_ / project / "migrations" / migration;
    fs::create_directories(m);
    std::ofstream(m / "up.sql") << up;
    std::ofstream(m / "down.sql") << down;
  }

  EngineOptions Options(const std::string& project, const std::string& url) const {
    EngineOptions o;
    o.url = url;
    o.base_dir = (dir_ / project).string();
    o.migrations_dir = "migrations";
    return o;
  }

  std::vector<std::string> VerifyMessages(const std::string& project) {
    auto r = Verify(Options(project, url_), VerifyOptions{});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& v : r->versions) {
      for (const auto& f : v.findings) out.push_back(f.message);
    }
    return out;
  }

  Status Migrate(const std::string& project, const std::string& url) {
    auto e = Engine::Open(Options(project, url));
    if (!e.ok()) return e.status();
    return e.value()->Migrate(MigrateOptions{});
  }

  std::string BoolType() const {
    return GetParam() == Dialect::kMysql ? "tinyint(1)" : "boolean";
  }

  // Accounts with an owner, the base most cases build on.
  void AddBase(const std::string& project) {
    Add(project, "0001_accounts",
        "CREATE TABLE owners (id integer primary key);\n"
        "CREATE TABLE accounts (id integer primary key, name varchar(100) not null, owner_id integer);\n",
        "DROP TABLE accounts;\nDROP TABLE owners;\n");
  }

  fs::path dir_;
  std::string url_;
  std::unique_ptr<Driver> admin_;
  std::vector<std::string> databases_;
};

#define SKIP_WITHOUT_SERVER()                                                                      \
  do {                                                                                             \
    if (NoServer()) {                                                                              \
      const char* require = std::getenv("DBROLL_REQUIRE_SERVERS");                                 \
      if (require && std::string(require) == "1") FAIL() << "no reachable server for this dialect"; \
      GTEST_SKIP() << "set DBROLL_TEST_PG_URL / DBROLL_TEST_MYSQL_URL to run";                     \
    }                                                                                              \
  } while (0)

TEST_P(SchemaDbTest, DownThatForgetsAColumn) {
  SKIP_WITHOUT_SERVER();
  AddBase("p");
  Add("p", "0002_flags", "ALTER TABLE accounts ADD COLUMN flag_a boolean;\nALTER TABLE accounts ADD COLUMN flag_b boolean;\n",
      "ALTER TABLE accounts DROP COLUMN flag_a;\n");
  std::vector<std::string> m = VerifyMessages("p");
  ASSERT_GE(m.size(), 1u);
  EXPECT_EQ(m[0], "0002_flags: down leaves column accounts.flag_b (" + BoolType() + ") behind");
}

TEST_P(SchemaDbTest, DownThatForgetsAnIndex) {
  SKIP_WITHOUT_SERVER();
  AddBase("p");
  Add("p", "0002_idx", "CREATE INDEX accounts_name ON accounts (name);\n", "SELECT 1;\n");
  std::vector<std::string> m = VerifyMessages("p");
  ASSERT_GE(m.size(), 1u);
  EXPECT_EQ(m[0], "0002_idx: down leaves index accounts_name on accounts (name) behind");
}

TEST_P(SchemaDbTest, DownThatForgetsADefault) {
  SKIP_WITHOUT_SERVER();
  AddBase("p");
  // SQLite cannot ALTER a default: it changes one by rebuilding the table.
  Add("p", "0002_default",
      GetParam() == Dialect::kSqlite
          ? "CREATE TABLE accounts_new (id integer primary key, name varchar(100) not null DEFAULT 'x', owner_id integer);\n"
            "INSERT INTO accounts_new SELECT * FROM accounts;\nDROP TABLE accounts;\n"
            "ALTER TABLE accounts_new RENAME TO accounts;\n"
          : "ALTER TABLE accounts ALTER COLUMN name SET DEFAULT 'x';\n",
      "SELECT 1;\n");
  std::vector<std::string> m = VerifyMessages("p");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_THAT(m[0], HasSubstr("0002_default: down does not restore column accounts.name ("));
  EXPECT_THAT(m[0], HasSubstr("default 'x'"));
}

TEST_P(SchemaDbTest, DownThatForgetsAForeignKey) {
  SKIP_WITHOUT_SERVER();
  AddBase("p");
  // SQLite cannot ADD CONSTRAINT: it adds a foreign key by rebuilding the table.
  Add("p", "0002_fk",
      GetParam() == Dialect::kSqlite
          ? "CREATE TABLE accounts_new (id integer primary key, name varchar(100) not null, owner_id integer,"
            " CONSTRAINT accounts_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id));\n"
            "INSERT INTO accounts_new SELECT * FROM accounts;\nDROP TABLE accounts;\n"
            "ALTER TABLE accounts_new RENAME TO accounts;\n"
          : "ALTER TABLE accounts ADD CONSTRAINT accounts_owner_fk FOREIGN KEY (owner_id) REFERENCES owners (id);\n",
      "SELECT 1;\n");
  std::vector<std::string> m = VerifyMessages("p");
  // SQLite does not keep constraint names: the key is named by what it is.
  EXPECT_THAT(m, ::testing::Contains(GetParam() == Dialect::kSqlite
                                         ? "0002_fk: down leaves constraint foreign key (owner_id) references owners on accounts behind"
                                         : "0002_fk: down leaves constraint accounts_owner_fk on accounts behind"));
}

TEST_P(SchemaDbTest, DownThatFails) {
  SKIP_WITHOUT_SERVER();
  AddBase("p");
  Add("p", "0002_fail", "CREATE TABLE extra (id int);\n", "DROP TABLE no_such_table;\n");
  Add("p", "0003_next", "CREATE TABLE later (id int);\n", "DROP TABLE later;\n");
  auto r = Verify(Options("p", url_), VerifyOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->versions.size(), 3u);
  ASSERT_EQ(r->versions[1].findings.size(), 1u);
  const VerifyFinding& f = r->versions[1].findings[0];
  EXPECT_EQ(f.rule, "verify-down-fails");
  EXPECT_EQ(f.path, "migrations/0002_fail/down.sql");
  EXPECT_EQ(f.line, 1);
  EXPECT_THAT(f.message, HasSubstr("0002_fail: down fails: "));
  EXPECT_THAT(f.message, HasSubstr("no_such_table"));
  EXPECT_THAT(f.message, HasSubstr(" at migrations/0002_fail/down.sql:1:1"));
  // The failed down changed nothing (its first statement failed), so the next version is still verified.
  EXPECT_EQ(r->versions[2].state, "ok");
}

// Issue 17, items 6-8: a down that drops an index of an earlier version, an up
// that cannot build the same schema twice, a later down that is judged from a
// clean replay, and a down that only fails in the whole-history pass.
std::string DropIndex(Dialect d, const std::string& if_exists) {
  return "DROP INDEX " + if_exists + "t_a" + (d == Dialect::kMysql ? " ON t" : "") + ";\n";
}

TEST_P(SchemaDbTest, EveryVersionIsJudgedFromACleanReplay) {
  SKIP_WITHOUT_SERVER();
  Add("p", "0001_t", "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\n", "DROP TABLE t;\n");
  Add("p", "0002_u", "CREATE TABLE IF NOT EXISTS u (x int);\n", DropIndex(GetParam(), ""));
  Add("p", "0003_noop", "SELECT 1;\n", DropIndex(GetParam(), "IF EXISTS "));
  Add("p", "0004_w", "CREATE TABLE w (x int);\n", "SELECT 1;\n");
  std::vector<std::string> progress;
  VerifyOptions vo;
  vo.on_version = [&](const VerifiedVersion& v) { progress.push_back(v.version + " " + v.state); };
  auto r = Verify(Options("p", url_), vo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_THAT(progress, ElementsAre("0001 ok", "0002 failed", "0003 failed", "0004 failed"));
  ASSERT_EQ(r->versions.size(), 4u);
  std::vector<std::string> m[4];
  for (size_t i = 0; i < 4; ++i) {
    for (const auto& f : r->versions[i].findings) m[i].push_back(f.rule + ": " + f.message);
  }
  EXPECT_THAT(m[0], ElementsAre());
  // Version 3 starts where a clean replay of 1 and 2 stands (t_a exists), not
  // where version 2's broken down left the database (t_a gone): its down drops t_a.
  EXPECT_THAT(m[2], ::testing::Contains("verify-down-incomplete: 0003_noop: down drops index t_a on t (a), which "
                                        "existed before up"));
  // Version 4 is verified (and found wrong) although versions 2 and 3 failed.
  EXPECT_THAT(m[3], ::testing::Contains(HasSubstr("verify-down-incomplete: 0004_w: down leaves table w")));
  // The whole-history pass: after 3's down drops t_a, 2's down cannot drop it again.
  ASSERT_FALSE(m[1].empty());
  EXPECT_THAT(m[1].back(), ::testing::StartsWith("verify-history-down-fails: 0002_u: down fails in the "
                                                 "whole-history pass (all ups, then the downs of the newer "
                                                 "versions): "));
  EXPECT_THAT(m[1].back(), ::testing::EndsWith("; caused by 0003_noop, whose down drops index t_a on t (a), "
                                               "which existed before up"));
  if (GetParam() == Dialect::kSqlite) {
    EXPECT_THAT(m[1], ElementsAre(
        "verify-down-incomplete: 0002_u: down drops index t_a on t (a), which existed before up",
        "verify-down-incomplete: 0002_u: down leaves table u behind",
        "verify-down-incomplete: 0002_u: down leaves column u.x (int) behind",
        "verify-up-not-repeatable: 0002_u: the second up differs from the first: index t_a on t (a) exists only "
        "after the first up",
        "verify-history-down-fails: 0002_u: down fails in the whole-history pass (all ups, then the downs of the "
        "newer versions): no such index: t_a (SQLSTATE SQLITE_1) at migrations/0002_u/down.sql:1:1; caused by 0003_noop, whose down "
        "drops index t_a on t (a), which existed before up"));
    EXPECT_THAT(m[2], ElementsAre(
        "verify-down-incomplete: 0003_noop: down drops index t_a on t (a), which existed before up",
        "verify-up-not-repeatable: 0003_noop: the second up differs from the first: index t_a on t (a) exists "
        "only after the first up"));
    EXPECT_THAT(m[3], ElementsAre(
        "verify-down-incomplete: 0004_w: down leaves table w behind",
        "verify-down-incomplete: 0004_w: down leaves column w.x (int) behind",
        "verify-up-not-repeatable: 0004_w: up fails after down: table w already exists (SQLSTATE SQLITE_1) at "
        "migrations/0004_w/up.sql:1:1"));
  }
}

TEST_P(SchemaDbTest, FailFastStopsAfterTheFirstFailedVersion) {
  SKIP_WITHOUT_SERVER();
  Add("p", "0001_t", "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\n", "DROP TABLE t;\n");
  Add("p", "0002_u", "CREATE TABLE IF NOT EXISTS u (x int);\n", DropIndex(GetParam(), ""));
  Add("p", "0003_w", "CREATE TABLE w (x int);\n", "DROP TABLE w;\n");
  VerifyOptions vo;
  vo.fail_fast = true;
  auto r = Verify(Options("p", url_), vo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->versions.size(), 3u);
  EXPECT_EQ(r->versions[0].state, "ok");
  EXPECT_EQ(r->versions[1].state, "failed");
  EXPECT_EQ(r->versions[2].state, "not-verified");
  EXPECT_EQ(r->versions[2].reason, "--fail-fast: verify stopped after 0002_u failed");
  EXPECT_THAT(r->versions[2].findings, ElementsAre());
}

TEST_P(SchemaDbTest, AnUpThatFailsOnACleanReplayLeavesLaterVersionsNotVerified) {
  SKIP_WITHOUT_SERVER();
  Add("p", "0001_t", "CREATE TABLE t (a int);\n", "DROP TABLE t;\n");
  Add("p", "0002_bad", "INSERT INTO nowhere VALUES (1);\n", "SELECT 1;\n");
  Add("p", "0003_w", "CREATE TABLE w (x int);\n", "DROP TABLE w;\n");
  auto r = Verify(Options("p", url_), VerifyOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->versions.size(), 3u);
  EXPECT_EQ(r->versions[0].state, "ok");
  EXPECT_EQ(r->versions[1].state, "failed");
  ASSERT_EQ(r->versions[1].findings.size(), 1u);
  EXPECT_EQ(r->versions[1].findings[0].rule, "verify-up-fails");
  EXPECT_EQ(r->versions[2].state, "not-verified");
  EXPECT_EQ(r->versions[2].reason,
            "the up of 0002_bad fails on a clean replay, so no later state can be reached");
}

TEST_P(SchemaDbTest, AnIrreversibleUpIsNotVerifiedWithAReason) {
  SKIP_WITHOUT_SERVER();
  Add("p", "0001_t", "-- dbroll:irreversible drops data\nCREATE TABLE t (a int);\n", "SELECT 1;\n");
  Add("p", "0002_w", "CREATE TABLE w (x int);\n", "DROP TABLE w;\n");
  auto r = Verify(Options("p", url_), VerifyOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->versions.size(), 2u);
  EXPECT_EQ(r->versions[0].state, "not-verified");
  EXPECT_EQ(r->versions[0].reason, "up.sql is marked irreversible: there is no down to verify");
  EXPECT_EQ(r->versions[1].state, "ok");
  EXPECT_TRUE(r->ok());
}

TEST_P(SchemaDbTest, CorrectPairWithViewsTriggersEnumsSequences) {
  SKIP_WITHOUT_SERVER();
  AddBase("p");
  std::string up, down;
  switch (GetParam()) {
    case Dialect::kPostgres:
      up = "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');\n"
           "CREATE SEQUENCE invoice_no START 1000;\n"
           "ALTER TABLE accounts ADD COLUMN m mood DEFAULT 'ok';\n"
           "CREATE VIEW happy_accounts AS SELECT id, name FROM accounts WHERE m = 'happy';\n"
           "CREATE FUNCTION upper_name() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.name := upper(NEW.name); "
           "RETURN NEW; END $$;\n"
           "CREATE TRIGGER accounts_upper BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION upper_name();\n";
      down = "DROP TRIGGER accounts_upper ON accounts;\nDROP FUNCTION upper_name();\nDROP VIEW happy_accounts;\n"
             "ALTER TABLE accounts DROP COLUMN m;\nDROP SEQUENCE invoice_no;\nDROP TYPE mood;\n";
      break;
    case Dialect::kMysql:
      up = "CREATE SEQUENCE invoice_no START WITH 1000;\n"
           "ALTER TABLE accounts ADD COLUMN m ENUM('sad', 'ok', 'happy') DEFAULT 'ok';\n"
           "CREATE VIEW happy_accounts AS SELECT id, name FROM accounts WHERE m = 'happy';\n"
           "CREATE TRIGGER accounts_upper BEFORE INSERT ON accounts FOR EACH ROW SET NEW.name = UPPER(NEW.name);\n";
      down = "DROP TRIGGER accounts_upper;\nDROP VIEW happy_accounts;\nALTER TABLE accounts DROP COLUMN m;\n"
             "DROP SEQUENCE invoice_no;\n";
      break;
    case Dialect::kSqlite:
      up = "CREATE VIEW named_accounts AS SELECT id, name FROM accounts WHERE name <> '';\n"
           "CREATE TRIGGER accounts_upper AFTER INSERT ON accounts BEGIN\n"
           "  UPDATE accounts SET name = upper(name) WHERE id = NEW.id;\nEND;\n";
      down = "DROP TRIGGER accounts_upper;\nDROP VIEW named_accounts;\n";
      break;
  }
  Add("p", "0002_objects", up, down);
  EXPECT_THAT(VerifyMessages("p"), ElementsAre());
  // The same pair without the trigger's DROP is caught, so the clean result above means something.
  Add("p", "0002_objects", up, down.substr(down.find('\n') + 1));
  std::vector<std::string> m = VerifyMessages("p");
  EXPECT_THAT(m, ::testing::Contains(HasSubstr("0002_objects: down ")));
}

#ifdef DBROLL_SCHEMA_SERVERS  // SQLite takes whole snapshots: no scope to test there
// On a server, verify snapshots only what a version's statements name plus
// what refers to it; a view over the touched table must stay in that scope.
TEST_P(SchemaDbTest, ADownThatBreaksAViewOverTheTableItTouchesIsFound) {
  SKIP_WITHOUT_SERVER();
  Add("p", "0001_a", "CREATE TABLE a (id integer primary key, x integer);\nCREATE VIEW v AS SELECT id, x FROM a;\n",
      "DROP VIEW v;\nDROP TABLE a;\n");
  if (GetParam() == Dialect::kPostgres) {
    // The table comes back exactly as it was; only the view is gone, and no statement names it.
    Add("p", "0002_y", "ALTER TABLE a ADD COLUMN y integer;\n",
        "ALTER TABLE a DROP COLUMN x CASCADE;\nALTER TABLE a RENAME COLUMN y TO x;\n");
    EXPECT_THAT(VerifyMessages("p"), ::testing::Contains("0002_y: down drops view v, which existed before up"));
  } else {
    // MariaDB keeps the view's text and stops listing its columns.
    Add("p", "0002_y", "ALTER TABLE a ADD COLUMN y integer;\n",
        "ALTER TABLE a DROP COLUMN x;\nALTER TABLE a RENAME COLUMN y TO z;\n");
    const std::vector<std::string> m = VerifyMessages("p");
    EXPECT_THAT(m, ::testing::Contains(HasSubstr("0002_y: down does not restore view v: was \"as select ")));
    EXPECT_THAT(m, ::testing::Contains(HasSubstr("(invalid: it names tables or columns that do not exist)\"")));
  }
}

// Renames reach views and foreign keys on tables no statement names: a
// correct pair stays clean, and later versions see the same schema.
TEST_P(SchemaDbTest, ScopedSnapshotsFollowRenamesIntoViewsAndForeignKeys) {
  SKIP_WITHOUT_SERVER();
  Add("p", "0001_ab",
      "CREATE TABLE a (id integer primary key, x integer);\n"
      "CREATE TABLE b (id integer primary key, a_id integer, CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id));\n"
      "CREATE VIEW v AS SELECT id, x FROM a;\nCREATE VIEW w AS SELECT id FROM v;\n",
      "DROP VIEW w;\nDROP VIEW v;\nDROP TABLE b;\nDROP TABLE a;\n");
  Add("p", "0002_rename", "ALTER TABLE a RENAME TO a2;\n", "ALTER TABLE a2 RENAME TO a;\n");
  Add("p", "0003_col", "ALTER TABLE a2 ADD COLUMN y integer;\n", "ALTER TABLE a2 DROP COLUMN y;\n");
  Add("p", "0004_c", "CREATE TABLE c (id integer primary key);\nINSERT INTO c (id) VALUES (1);\n",
      "DROP TABLE c;\n");
  EXPECT_THAT(VerifyMessages("p"), ElementsAre());
  // The same rename with a down that forgets to rename back is caught.
  Add("p", "0002_rename", "ALTER TABLE a RENAME TO a2;\n", "CREATE TABLE a (id integer primary key, x integer);\n");
  EXPECT_THAT(VerifyMessages("p"), ::testing::Contains(HasSubstr("0002_rename: down ")));
}

// A scoped snapshot reads each table in scope by name (MariaDB: one SELECT per
// table, so the server opens no other table): what a down leaves changed on
// that table -- an index, a view over it, a default -- is still found among
// tables no statement names.
TEST_P(SchemaDbTest, ScopedSnapshotsFindAChangedIndexViewAndDefault) {
  SKIP_WITHOUT_SERVER();
  const bool my = GetParam() == Dialect::kMysql;
  Add("p", "0001_ab",
      "CREATE TABLE a (id integer primary key, x varchar(20) DEFAULT 'd', y integer);\n"
      "CREATE TABLE b (id integer primary key, x varchar(20) DEFAULT 'd', y integer);\n"
      "CREATE INDEX a_x ON a (x);\nCREATE INDEX b_x ON b (x);\n"
      "CREATE VIEW av AS SELECT id, x FROM a;\nCREATE VIEW bv AS SELECT id, x FROM b;\n",
      "DROP VIEW bv;\nDROP VIEW av;\nDROP TABLE b;\nDROP TABLE a;\n");
  Add("p", "0003_c", "CREATE TABLE c (id integer primary key);\n", "DROP TABLE c;\n");
  // The down puts back the default and the view, and leaves the index as the up made it.
  Add("p", "0002_change",
      "ALTER TABLE a ALTER COLUMN x SET DEFAULT 'e';\n" + std::string(my ? "DROP INDEX a_x ON a;\n" : "DROP INDEX a_x;\n") +
          "CREATE INDEX a_x ON a (x, y);\nDROP VIEW av;\nCREATE VIEW av AS SELECT id, x, y FROM a;\n",
      "DROP VIEW av;\nCREATE VIEW av AS SELECT id, x FROM a;\nALTER TABLE a ALTER COLUMN x SET DEFAULT 'd';\n");
  std::vector<std::string> m = VerifyMessages("p");
  ASSERT_EQ(m.size(), 1u) << ::testing::PrintToString(m);
  EXPECT_THAT(m[0], HasSubstr("0002_change: down does not restore index a_x on a (x): was \""));
  EXPECT_THAT(m[0], HasSubstr("(x, y)"));
  // It puts back the default, not the view.
  Add("p", "0002_change",
      "ALTER TABLE a ALTER COLUMN x SET DEFAULT 'e';\nDROP VIEW av;\nCREATE VIEW av AS SELECT id, x, y FROM a;\n",
      "ALTER TABLE a ALTER COLUMN x SET DEFAULT 'd';\n");
  m = VerifyMessages("p");
  ASSERT_EQ(m.size(), 1u) << ::testing::PrintToString(m);
  EXPECT_THAT(m[0], HasSubstr("0002_change: down does not restore view av: was \"as "));
  // It sets another table's default, not this one's.
  Add("p", "0002_change", "ALTER TABLE a ALTER COLUMN x SET DEFAULT 'e';\n",
      "ALTER TABLE b ALTER COLUMN x SET DEFAULT 'd';\n");
  m = VerifyMessages("p");
  ASSERT_EQ(m.size(), 1u) << ::testing::PrintToString(m);
  EXPECT_THAT(m[0], HasSubstr("0002_change: down does not restore column a.x ("));
  EXPECT_THAT(m[0], HasSubstr("default 'e'"));
}

// An index is in scope by its own name too, also on a table no statement
// names: it is read again, so it neither drops out of the snapshots (MySQL
// names indexes per table) nor hides a change (PostgreSQL drops one by name).
TEST_P(SchemaDbTest, ScopedSnapshotsReadAnIndexNamedLikeAnObjectInScope) {
  SKIP_WITHOUT_SERVER();
  Add("p", "0001_ab",
      "CREATE TABLE a (id integer primary key, x integer);\nCREATE TABLE b (id integer primary key, x integer);\n"
      "CREATE INDEX shared ON b (x);\n",
      "DROP TABLE b;\nDROP TABLE a;\n");
  Add("p", "0003_d", "CREATE TABLE d (id integer primary key);\n", "DROP TABLE d;\n");
  if (GetParam() == Dialect::kMysql) {
    Add("p", "0002_idx", "CREATE INDEX shared ON a (x);\n", "DROP INDEX shared ON a;\n");
    EXPECT_THAT(VerifyMessages("p"), ElementsAre());
    Add("p", "0002_idx", "CREATE INDEX shared ON a (x);\n", "DROP INDEX shared ON a;\nCREATE INDEX shared ON a (id);\n");
    const std::vector<std::string> m = VerifyMessages("p");
    EXPECT_THAT(m, ::testing::Contains("0002_idx: down leaves index shared on a (id) behind"));
    EXPECT_THAT(m, ::testing::Not(::testing::Contains(HasSubstr(" on b "))));
  } else {
    Add("p", "0002_idx", "DROP INDEX shared;\n", "CREATE INDEX shared ON b (x);\n");
    EXPECT_THAT(VerifyMessages("p"), ElementsAre());
    Add("p", "0002_idx", "DROP INDEX shared;\n", "CREATE INDEX shared ON a (x);\n");
    EXPECT_THAT(VerifyMessages("p"), ElementsAre("0002_idx: down leaves index shared on a (x) behind",
                                                 "0002_idx: down drops index shared on b (x), which existed before up"));
  }
}

// PostgreSQL: a sequence is in scope through the column that owns it, also
// when no statement names the sequence.
TEST_P(SchemaDbTest, ScopedSnapshotsReadASequenceThroughItsOwner) {
  SKIP_WITHOUT_SERVER();
  if (GetParam() != Dialect::kPostgres) return;  // MariaDB sequences have no owner
  Add("p", "0001_a", "CREATE TABLE a (id integer primary key);\nCREATE TABLE b (id integer primary key);\n",
      "DROP TABLE b;\nDROP TABLE a;\n");
  Add("p", "0002_n", "ALTER TABLE a ADD COLUMN n serial;\n", "ALTER TABLE a DROP COLUMN n;\n");
  Add("p", "0003_c", "CREATE TABLE c (id integer primary key);\n", "DROP TABLE c;\n");
  EXPECT_THAT(VerifyMessages("p"), ElementsAre());
  Add("p", "0002_n", "ALTER TABLE a ADD COLUMN n serial;\n", "ALTER TABLE a RENAME COLUMN n TO m;\n");
  const std::vector<std::string> m = VerifyMessages("p");
  EXPECT_THAT(m, ::testing::Contains(HasSubstr("0002_n: down leaves sequence a_n_seq behind")));
  EXPECT_THAT(m, ::testing::Contains(HasSubstr("0002_n: down leaves column a.m (integer) behind")));
}

#endif  // DBROLL_SCHEMA_SERVERS

TEST_P(SchemaDbTest, ExampleProjectVerifiesClean) {
  SKIP_WITHOUT_SERVER();
  EngineOptions o;
  o.url = url_;
  o.base_dir = std::string(DBROLL_SOURCE_DIR) + "/migrations-example";
  auto r = Verify(o, VerifyOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GE(r->versions.size(), 5u);
  for (const auto& v : r->versions) {
    EXPECT_EQ(v.state, "ok") << v.version << (v.findings.empty() ? "" : ": " + v.findings[0].message);
  }
}

TEST_P(SchemaDbTest, SameSchemaInTwoOrdersGivesTheSameSnapshot) {
  SKIP_WITHOUT_SERVER();
  Add("one", "0001_ab",
      "CREATE TABLE a (id integer primary key, x varchar(20) DEFAULT 'd', y integer);\n"
      "CREATE INDEX a_x ON a (x);\nCREATE TABLE b (id integer, a_id integer);\n",
      "DROP TABLE b;\nDROP TABLE a;\n");
  Add("two", "0001_ba", "CREATE TABLE b (id integer, a_id integer);\nCREATE TABLE a (id integer primary key);\n",
      "DROP TABLE a;\nDROP TABLE b;\n");
  Add("two", "0002_cols",
      "ALTER TABLE a ADD COLUMN x varchar(20) DEFAULT 'd';\nALTER TABLE a ADD COLUMN y integer;\n"
      "CREATE INDEX a_x ON a (x);\n",
      "DROP INDEX a_x;\nALTER TABLE a DROP COLUMN y;\nALTER TABLE a DROP COLUMN x;\n");
  const std::string url2 = NewDatabase("b");
  ASSERT_FALSE(url2.empty());
  ASSERT_TRUE(Migrate("one", url_).ok());
  ASSERT_TRUE(Migrate("two", url2).ok());
  DriverOptions d1, d2;
  d1.url = url_;
  d2.url = url2;
  auto c1 = OpenDriver(d1);
  auto c2 = OpenDriver(d2);
  ASSERT_TRUE(c1.ok() && c2.ok());
  auto s1 = TakeSnapshot(*c1.value());
  auto s2 = TakeSnapshot(*c2.value());
  ASSERT_TRUE(s1.ok() && s2.ok());
  EXPECT_THAT(SnapshotText(s1.value()), HasSubstr("a_x"));
  EXPECT_THAT(SnapshotText(s1.value()), ::testing::Not(HasSubstr("dbroll_history")));
  EXPECT_EQ(SnapshotText(s1.value()), SnapshotText(s2.value()));
  EXPECT_EQ(SnapshotJson(s1.value()), SnapshotJson(s2.value()));
}

TEST_P(SchemaDbTest, DriftFindsAHandMadeIndex) {
  SKIP_WITHOUT_SERVER();
  AddBase("p");
  ASSERT_TRUE(Migrate("p", url_).ok());
  auto live = Engine::Open(Options("p", url_));
  ASSERT_TRUE(live.ok());
  auto clean = CheckDrift(*live.value(), DriftOptions{});
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_THAT(clean->messages, ElementsAre());
  ASSERT_TRUE(live.value()->driver().RunStatement(Statement{"CREATE INDEX hotfix_idx ON accounts (name)", "", 1, 1, 0}).ok());
  auto drift = CheckDrift(*live.value(), DriftOptions{});
  ASSERT_TRUE(drift.ok()) << drift.status().ToString();
  EXPECT_THAT(drift->messages,
              ElementsAre("index hotfix_idx on accounts (name) exists in the live database but no applied "
                          "migration creates it"));
}

#ifdef DBROLL_SCHEMA_SERVERS
INSTANTIATE_TEST_SUITE_P(Servers, SchemaDbTest, ::testing::Values(Dialect::kPostgres, Dialect::kMysql),
                         [](const auto& p) { return std::string(DialectName(p.param)); });
#else
INSTANTIATE_TEST_SUITE_P(Sqlite, SchemaDbTest, ::testing::Values(Dialect::kSqlite),
                         [](const auto& p) { return std::string(DialectName(p.param)); });
#endif

}  // namespace
}  // namespace dbroll
