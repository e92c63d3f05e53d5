// Plan before you touch: the checks that run over every script before the
// first statement runs (engine/preflight.h), alone with a fake driver and
// through the engine on SQLite.
#include "engine/preflight.h"

#include <gtest/gtest.h>

#include "engine/checksum.h"
#include "engine/splitter.h"
#include "tests/engine/engine_test_util.h"

namespace dbroll::testing {
namespace {

using internal::CheckDownPlan;
using internal::CheckUpPlan;
using internal::FindTransactionControl;
using internal::PlannedDown;
using internal::PlannedUp;

// A driver that runs nothing: only what the preflight asks of it.
class FakeDriver : public Driver {
 public:
  Dialect dialect_ = Dialect::kPostgres;
  bool transactional_ddl_ = true;
  bool utf8_ = false;
  std::string version_ = "fake";  // ServerVersion()
  Status syntax_;  // returned by CheckSyntax

  Dialect dialect() const override { return dialect_; }
  std::string ServerVersion() const override { return version_; }
  bool TransactionalDdl() const override { return transactional_ddl_; }
  std::optional<std::string> NonTransactionalReason(const Statement& s) const override {
    if (s.text.rfind("CREATE INDEX CONCURRENTLY", 0) == 0) return std::string("CREATE INDEX CONCURRENTLY");
    return std::nullopt;
  }
  bool RequiresUtf8() const override { return utf8_; }
  Status CheckSyntax(const std::vector<Statement>&) const override { return syntax_; }
  Status Lock(std::chrono::milliseconds) override { return Status::Ok(); }
  Status Unlock() override { return Status::Ok(); }
  Status RunTransaction(const std::vector<Statement>&, const std::vector<std::string>&) override {
    return Status(Code::kInternal, "the preflight must not run anything");
  }
  Status RunStatement(const Statement&) override { return Status(Code::kInternal, "the preflight must not run anything"); }
  Result<std::vector<Row>> Query(const std::string&) override {
    return Status(Code::kInternal, "the preflight must not query");
  }
};

// The keyword FindTransactionControl sees in `sql`, or "" when none.
std::string Keyword(const std::string& sql, Dialect d) {
  auto tc = FindTransactionControl(Statement{sql, "x.sql", 1, 1, 0}, d, true);
  return tc ? tc->keyword : "";
}

Status CheckUp(const FakeDriver& d, const std::string& up, const std::optional<std::string>& down = "SELECT 1;",
               const std::string& release = "") {
  Migration m = MakeMigration("0001", "a", up, down);
  return CheckUpPlan({PlannedUp{&m, false}}, d, release, "tester@host");
}

const char kInTxFix[] =
    "remove it: dbroll runs the file in one transaction and commits it together with its history row "
    "(`-- dbroll:no-transaction` at the top runs the file statement by statement instead, still without "
    "transaction control); nothing was applied";

TEST(TransactionControlTest, PostgresKeywords) {
  const Dialect pg = Dialect::kPostgres;
  EXPECT_EQ(Keyword("BEGIN", pg), "BEGIN");
  EXPECT_EQ(Keyword("begin work", pg), "BEGIN WORK");
  EXPECT_EQ(Keyword("BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE", pg), "BEGIN TRANSACTION");
  EXPECT_EQ(Keyword("START TRANSACTION READ WRITE", pg), "START TRANSACTION");
  EXPECT_EQ(Keyword("COMMIT", pg), "COMMIT");
  EXPECT_EQ(Keyword("COMMIT /* c */ AND -- x\n CHAIN", pg), "COMMIT AND CHAIN");
  EXPECT_EQ(Keyword("COMMIT PREPARED 'x'", pg), "COMMIT PREPARED");
  EXPECT_EQ(Keyword("END", pg), "END");
  EXPECT_EQ(Keyword("END TRANSACTION", pg), "END TRANSACTION");
  EXPECT_EQ(Keyword("ROLLBACK", pg), "ROLLBACK");
  EXPECT_EQ(Keyword("ROLLBACK AND NO CHAIN", pg), "ROLLBACK AND NO CHAIN");
  EXPECT_EQ(Keyword("ROLLBACK TO SAVEPOINT sp", pg), "ROLLBACK TO SAVEPOINT");
  EXPECT_EQ(Keyword("ROLLBACK WORK TO sp", pg), "ROLLBACK WORK TO");
  EXPECT_EQ(Keyword("ABORT", pg), "ABORT");
  EXPECT_EQ(Keyword("SAVEPOINT sp", pg), "SAVEPOINT");
  EXPECT_EQ(Keyword("RELEASE sp", pg), "RELEASE");
  EXPECT_EQ(Keyword("RELEASE SAVEPOINT sp", pg), "RELEASE SAVEPOINT");
  EXPECT_EQ(Keyword("PREPARE TRANSACTION 'x'", pg), "PREPARE TRANSACTION");
  // Not transaction control.
  EXPECT_EQ(Keyword("DO $$ BEGIN COMMIT; END $$", pg), "");
  EXPECT_EQ(Keyword("CREATE TABLE commit_log (x int)", pg), "");
  EXPECT_EQ(Keyword("PREPARE p AS SELECT 1", pg), "");
  EXPECT_EQ(Keyword("BEGIN ATOMIC", pg), "");
  EXPECT_EQ(Keyword("SET autocommit = on", pg), "");
  EXPECT_EQ(Keyword("START_DATE", pg), "");
}

TEST(TransactionControlTest, MysqlKeywords) {
  const Dialect my = Dialect::kMysql;
  EXPECT_EQ(Keyword("BEGIN", my), "BEGIN");
  EXPECT_EQ(Keyword("BEGIN WORK", my), "BEGIN WORK");
  EXPECT_EQ(Keyword("START TRANSACTION WITH CONSISTENT SNAPSHOT", my), "START TRANSACTION");
  EXPECT_EQ(Keyword("COMMIT AND NO CHAIN NO RELEASE", my), "COMMIT AND NO CHAIN NO RELEASE");
  EXPECT_EQ(Keyword("ROLLBACK WORK", my), "ROLLBACK WORK");
  EXPECT_EQ(Keyword("ROLLBACK TO SAVEPOINT s", my), "ROLLBACK TO SAVEPOINT");
  EXPECT_EQ(Keyword("SAVEPOINT s", my), "SAVEPOINT");
  EXPECT_EQ(Keyword("RELEASE SAVEPOINT s", my), "RELEASE SAVEPOINT");
  EXPECT_EQ(Keyword("XA START 'x'", my), "XA START");
  EXPECT_EQ(Keyword("SET autocommit=0", my), "SET autocommit");
  EXPECT_EQ(Keyword("SET SESSION autocommit = 1", my), "SET autocommit");
  EXPECT_EQ(Keyword("SET @@session.autocommit := 0", my), "SET autocommit");
  EXPECT_EQ(Keyword("SET sql_mode = '', @@autocommit = 0", my), "SET autocommit");
  EXPECT_EQ(Keyword("/*!40101 SET autocommit=0 */", my), "SET autocommit");
  // Not transaction control.
  EXPECT_EQ(Keyword("BEGIN NOT ATOMIC SELECT 1; SELECT 2; END", my), "");
  EXPECT_EQ(Keyword("SET @autocommit = 1", my), "");
  EXPECT_EQ(Keyword("SET @x = 'autocommit=0'", my), "");
  EXPECT_EQ(Keyword("END", my), "");
  EXPECT_EQ(Keyword("ABORT", my), "");
  EXPECT_EQ(Keyword("RELEASE_LOCK('x')", my), "");
  EXPECT_EQ(Keyword("START SLAVE", my), "");
}

TEST(TransactionControlTest, SqliteKeywords) {
  const Dialect lite = Dialect::kSqlite;
  EXPECT_EQ(Keyword("BEGIN IMMEDIATE TRANSACTION", lite), "BEGIN IMMEDIATE TRANSACTION");
  EXPECT_EQ(Keyword("END TRANSACTION", lite), "END TRANSACTION");
  EXPECT_EQ(Keyword("COMMIT", lite), "COMMIT");
  EXPECT_EQ(Keyword("ROLLBACK TO s", lite), "ROLLBACK TO");
  EXPECT_EQ(Keyword("RELEASE s", lite), "RELEASE");
  EXPECT_EQ(Keyword("SAVEPOINT s", lite), "SAVEPOINT");
}

TEST(TransactionControlTest, BodiesKeptByTheSplitterAreNotTransactionControl) {
  struct Case {
    Dialect d;
    const char* sql;
  } cases[] = {
      {Dialect::kPostgres,
       "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\nDO $$ BEGIN PERFORM 1; END $$;\n"},
      {Dialect::kMysql, "DELIMITER //\nCREATE PROCEDURE p() BEGIN START TRANSACTION; COMMIT; END//\n"
                        "BEGIN NOT ATOMIC SELECT 1; END//\nDELIMITER ;\n"},
      {Dialect::kSqlite, "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 1; END;\n"},
  };
  for (const auto& c : cases) {
    auto stmts = internal::SplitStatements("x.sql", c.sql, c.d);
    ASSERT_TRUE(stmts.ok()) << stmts.status().ToString();
    for (const auto& s : stmts.value()) EXPECT_FALSE(FindTransactionControl(s, c.d, true)) << s.text;
  }
}

TEST(PreflightTest, CommitInATransactionalFileNamesLineAndReason) {
  FakeDriver d;
  Status s = CheckUp(d, "CREATE TABLE b (x int);\nCOMMIT;\nCREATE TABLE b2 (x int);\n");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            std::string("migrations/0001_a/up.sql:2:1: COMMIT commits the transaction dbroll runs this migration in "
                        "part-way: if a later statement fails, what ran before it stays applied with no history row "
                        "-- ") +
                kInTxFix);
}

TEST(PreflightTest, EachKindHasItsReason) {
  FakeDriver d;
  const std::string at = "migrations/0001_a/up.sql:1:1: ";
  EXPECT_EQ(CheckUp(d, "ROLLBACK;").message(),
            at + "ROLLBACK rolls back the transaction dbroll runs this migration in part-way: what ran before it is "
                 "undone, yet the rest of the file and the history row would still be written -- " + kInTxFix);
  EXPECT_EQ(CheckUp(d, "BEGIN;").message(),
            at + "BEGIN starts a transaction inside the one dbroll runs this migration in (MySQL commits dbroll's "
                 "there), so the file and its history row no longer commit as one -- " + kInTxFix);
  EXPECT_EQ(CheckUp(d, "SAVEPOINT a;").message(),
            at + "SAVEPOINT works on savepoints of the transaction dbroll owns: a ROLLBACK TO would undo part of a "
                 "migration that the history records as applied -- " + kInTxFix);
  d.dialect_ = Dialect::kMysql;
  d.transactional_ddl_ = false;
  EXPECT_EQ(CheckUp(d, "SET autocommit = 0;").message(),
            at + "SET autocommit changes when the server commits, dbroll's own history writes included, so the "
                 "history could disagree with the database -- " + kInTxFix);
  // MySQL commits implicitly at XA statements, so such a file runs statement by statement.
  EXPECT_EQ(CheckUp(d, "XA START 'x';").message().rfind(at + "XA START in a file that dbroll runs statement by", 0), 0u);
}

TEST(PreflightTest, NoTransactionFilesAreStillRefusedTransactionControl) {
  FakeDriver d;
  Status s = CheckUp(d, "-- dbroll:no-transaction\nBEGIN;\nCREATE INDEX CONCURRENTLY i ON t (x);\nCOMMIT;\n");
  EXPECT_EQ(s.message(),
            "migrations/0001_a/up.sql:2:1: BEGIN in a file that dbroll runs statement by statement: dbroll records its "
            "progress after each statement on the same connection, so a transaction begun, committed or rolled back "
            "by the file would carry or drop that record, and a resumed run could repeat or skip work -- remove it, "
            "and put work that must commit as one into its own migration that dbroll runs in a transaction (no "
            "`-- dbroll:no-transaction`; on MySQL, no DDL); nothing was applied\n"
            "migrations/0001_a/up.sql:4:1: COMMIT in a file that dbroll runs statement by statement: dbroll records "
            "its progress after each statement on the same connection, so a transaction begun, committed or rolled "
            "back by the file would carry or drop that record, and a resumed run could repeat or skip work -- remove "
            "it, and put work that must commit as one into its own migration that dbroll runs in a transaction (no "
            "`-- dbroll:no-transaction`; on MySQL, no DDL); nothing was applied");
  // MySQL runs a DDL file statement by statement even without the directive.
  d.dialect_ = Dialect::kMysql;
  d.transactional_ddl_ = false;
  s = CheckUp(d, "CREATE TABLE a (x int);\nCOMMIT;\n");
  EXPECT_EQ(s.message().rfind("migrations/0001_a/up.sql:2:1: COMMIT in a file that dbroll runs statement by "
                              "statement",
                              0),
            0u)
      << s.message();
}

TEST(PreflightTest, NonTransactionalStatementInATransactionalFile) {
  FakeDriver d;
  Status s = CheckUp(d, "CREATE TABLE t (x int);\n  CREATE INDEX CONCURRENTLY i ON t (x);\n");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0001_a/up.sql:2:3: CREATE INDEX CONCURRENTLY cannot run inside a transaction -- add "
            "`-- dbroll:no-transaction` at the top of migrations/0001_a/up.sql; nothing was applied");
  // A resumed run continues statement by statement: no complaint.
  Migration m = MakeMigration("0001", "a", "CREATE TABLE t (x int);\nCREATE INDEX CONCURRENTLY i ON t (x);\n", "");
  EXPECT_TRUE(CheckUpPlan({PlannedUp{&m, true}}, d, "", "me").ok());
}

// ALTER TYPE ... ADD VALUE: decided by the server's version, by the rule lint
// applies to its target (concurrently-in-transaction).
TEST(PreflightTest, AddEnumValueInATransactionalFileIsRefusedOnlyBeforePostgres12) {
  FakeDriver d;
  d.version_ = "PostgreSQL 11.22";
  Migration ok = MakeMigration("0001", "a", "CREATE TYPE mood AS ENUM ('a');\n", "DROP TYPE mood;");
  Migration add =
      MakeMigration("0002", "b", "SELECT 1;\nalter type public.\"Mood\" add value if not exists 'b';\n", "SELECT 1;");
  // The whole plan is refused before its first version runs.
  Status s = CheckUpPlan({PlannedUp{&ok, false}, PlannedUp{&add, false}}, d, "", "me");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0002_b/up.sql:2:1: ALTER TYPE ... ADD VALUE on PostgreSQL 11 (before 12) cannot run inside a "
            "transaction -- add `-- dbroll:no-transaction` at the top of migrations/0002_b/up.sql; nothing was "
            "applied");
  EXPECT_TRUE(CheckUp(d, "-- dbroll:no-transaction\nALTER TYPE mood ADD VALUE 'b';\n").ok());
  for (const char* version : {"PostgreSQL 12.0", "PostgreSQL 15.18", "fake"}) {
    d.version_ = version;
    EXPECT_TRUE(CheckUpPlan({PlannedUp{&ok, false}, PlannedUp{&add, false}}, d, "", "me").ok()) << version;
  }
}

TEST(PreflightTest, AddEnumValueRule) {
  using internal::AddEnumValueOutsideTransaction;
  auto why = [](const std::string& sql, Dialect dialect, int major) {
    return AddEnumValueOutsideTransaction(Statement{sql, "x.sql", 1, 1, 0}, dialect, major).value_or("-");
  };
  EXPECT_EQ(why("ALTER TYPE mood ADD VALUE 'b'", Dialect::kPostgres, 9),
            "ALTER TYPE ... ADD VALUE on PostgreSQL 9 (before 12)");
  EXPECT_EQ(why("/* c */ ALTER TYPE s.\"M\" ADD VALUE 'b' BEFORE 'a'", Dialect::kPostgres, 11),
            "ALTER TYPE ... ADD VALUE on PostgreSQL 11 (before 12)");
  EXPECT_EQ(why("ALTER TYPE mood ADD VALUE 'b'", Dialect::kPostgres, 12), "-");
  EXPECT_EQ(why("ALTER TYPE mood ADD VALUE 'b'", Dialect::kPostgres, 0), "-");
  EXPECT_EQ(why("ALTER TYPE mood RENAME VALUE 'a' TO 'b'", Dialect::kPostgres, 11), "-");
  EXPECT_EQ(why("ALTER TYPE addr ADD ATTRIBUTE value int", Dialect::kPostgres, 11), "-");
  EXPECT_EQ(why("SELECT 'ALTER TYPE mood ADD VALUE'", Dialect::kPostgres, 11), "-");
  EXPECT_EQ(why("ALTER TYPE mood ADD VALUE 'b'", Dialect::kMysql, 5), "-");
  EXPECT_EQ(internal::ServerMajorVersion("PostgreSQL 15.18"), 15);
  EXPECT_EQ(internal::ServerMajorVersion("PostgreSQL 9.6.24"), 9);
  EXPECT_EQ(internal::ServerMajorVersion("MariaDB 10.11.6"), 10);
  EXPECT_EQ(internal::ServerMajorVersion("fake"), 0);
}

TEST(PreflightTest, NulByteInUpOrStoredDown) {
  FakeDriver d;
  const std::string nul("CREATE TABLE b (x int);\0 garbage;\n", 35);
  Status s = CheckUp(d, nul);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0001_a/up.sql:1:24: NUL byte (0x00) in the file -- the database would cut the SQL there and "
            "run only what comes before it; remove it (a file saved as UTF-16 is full of them: save it as UTF-8); "
            "nothing was applied");
  s = CheckUp(d, "SELECT 1;", std::string("SELECT 1;\nSELECT\0 2;", 20));
  EXPECT_EQ(s.message().rfind("migrations/0001_a/down.sql:2:7: NUL byte (0x00) in the file", 0), 0u) << s.message();
}

TEST(PreflightTest, InvalidUtf8WhereTheDatabaseNeedsUtf8) {
  FakeDriver d;
  d.dialect_ = Dialect::kMysql;
  d.transactional_ddl_ = false;
  d.utf8_ = true;
  Status s = CheckUp(d, "CREATE TABLE a (x int);\n", "-- caf\xE9\nDROP TABLE a;\n");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0001_a/down.sql:1:7: byte 0xE9 is not valid UTF-8 -- MariaDB/MySQL needs UTF-8 here (the "
            "connection speaks utf8mb4 and the history stores scripts in utf8mb4 columns); save the file as UTF-8; "
            "nothing was applied");
  d.dialect_ = Dialect::kPostgres;
  s = CheckUp(d, "SELECT 'é', '\xC3';\n");
  EXPECT_EQ(s.message(),
            "migrations/0001_a/up.sql:1:14: byte 0xC3 is not valid UTF-8 -- PostgreSQL needs UTF-8 here (the "
            "server's encoding is not SQL_ASCII, so it rejects bytes that are not UTF-8); save the file as UTF-8; "
            "nothing was applied");
  // SQLite stores bytes: accepted.
  d.dialect_ = Dialect::kSqlite;
  d.utf8_ = false;
  EXPECT_TRUE(CheckUp(d, "SELECT '\xE9';\n", "SELECT '\xFF';\n").ok());
}

TEST(PreflightTest, FindInvalidUtf8RejectsWhatServersReject) {
  using internal::FindInvalidUtf8;
  constexpr size_t kNone = std::string_view::npos;
  EXPECT_EQ(FindInvalidUtf8("plain ascii"), kNone);
  EXPECT_EQ(FindInvalidUtf8("é € 𝄞 \xF4\x8F\xBF\xBF"), kNone);
  EXPECT_EQ(FindInvalidUtf8("a\xC0\x80"), 1u);          // overlong NUL
  EXPECT_EQ(FindInvalidUtf8("ab\xE0\x80\x80"), 2u);     // overlong
  EXPECT_EQ(FindInvalidUtf8("\xED\xA0\x80"), 0u);       // surrogate
  EXPECT_EQ(FindInvalidUtf8("x\xF4\x90\x80\x80"), 1u);  // past U+10FFFF
  EXPECT_EQ(FindInvalidUtf8("xy\xE2\x82"), 2u);         // cut short
  EXPECT_EQ(FindInvalidUtf8("\x80"), 0u);               // lone continuation
  EXPECT_EQ(FindInvalidUtf8("\xC3("), 0u);
}

TEST(PreflightTest, SyntaxErrorFromTheDriverIsLocatedInTheFile) {
  FakeDriver d;
  d.syntax_ = Status(Code::kDatabaseError, "syntax error at or near \",\"");
  d.syntax_.set_sqlstate("42601");
  d.syntax_.set_statement_index(1);
  d.syntax_.set_position(22);
  Status s = CheckUp(d, "SELECT 1;\n-- comment\nCREATE TABLE b (x int,,);\n");
  EXPECT_EQ(s.code(), Code::kMigrationFailed);
  EXPECT_EQ(s.sqlstate(), "42601");
  EXPECT_EQ(s.message(),
            "migrations/0001_a/up.sql:3:23: syntax error at or near \",\" (SQLSTATE 42601) -- fix the migration and "
            "migrate again; the database was not changed");
}

TEST(PreflightTest, HistoryValuesMustFitTheirColumns) {
  FakeDriver d;
  const std::string long_release(256, 'r');
  Status s = CheckUp(d, "SELECT 1;", "SELECT 1;", long_release);
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), "--release \"" + std::string(40, 'r') +
                             "...\" is 256 characters long, but the history column release_tag holds 255 -- use a "
                             "shorter release tag; nothing was applied");
  EXPECT_TRUE(CheckUp(d, "SELECT 1;", "SELECT 1;", std::string(255, 'r')).ok());
  // Characters, not bytes.
  std::string wide;
  for (int i = 0; i < 255; ++i) wide += "é";
  EXPECT_TRUE(CheckUp(d, "SELECT 1;", "SELECT 1;", wide).ok());

  Migration m = MakeMigration(std::string(65, '1'), "a", "SELECT 1;", "SELECT 1;");
  s = CheckUpPlan({PlannedUp{&m, false}}, d, "", "me");
  EXPECT_EQ(s.message(), "migrations/" + std::string(65, '1') + "_a/up.sql: version \"" + std::string(40, '1') +
                             "...\" is 65 characters long, but the history column version holds 64 -- rename its "
                             "directory; nothing was applied");
  m = MakeMigration("0001", std::string(256, 'n'), "SELECT 1;", "SELECT 1;");
  s = CheckUpPlan({PlannedUp{&m, false}}, d, "", "me");
  EXPECT_EQ(s.message(), "migrations/0001_" + std::string(256, 'n') + "/up.sql: migration name \"" +
                             std::string(40, 'n') +
                             "...\" is 256 characters long, but the history column name holds 255 -- rename its "
                             "directory; nothing was applied");
  d.utf8_ = true;
  s = CheckUp(d, "SELECT 1;", "SELECT 1;", "v1-caf\xE9");
  EXPECT_EQ(s.message(), "--release \"v1-caf\\xE9\" is not valid UTF-8 (byte 7) -- PostgreSQL stores it in "
                         "release_tag as UTF-8; use a shorter release tag; nothing was applied");
}

TEST(PreflightTest, EveryMigrationOfThePlanIsReported) {
  FakeDriver d;
  Migration a = MakeMigration("0001", "a", "COMMIT;", "SELECT 1;");
  Migration b = MakeMigration("0002", "b", "SELECT 1;\nEND;", "SELECT 1;");
  Status s = CheckUpPlan({PlannedUp{&a, false}, PlannedUp{&b, false}}, d, "", "me");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("migrations/0001_a/up.sql:1:1: COMMIT "), 0u) << s.message();
  EXPECT_NE(s.message().find("\nmigrations/0002_b/up.sql:2:1: END commits "), std::string::npos) << s.message();
}

TEST(PreflightTest, DownPlanChecksEveryScriptAndSaysNothingWasRolledBack) {
  FakeDriver d;
  Migration m = MakeMigration("0002", "b", "SELECT 1;", "DROP TABLE b;\nROLLBACK;\n");
  Script stored = MakeScript("stored down of 0001_a", "DROP TABLE a;\nCREATE TABLE (;\n");
  Migration a = MakeMigration("0001", "a", "SELECT 1;", std::nullopt);
  d.syntax_ = Status(Code::kDatabaseError, "syntax error at or near \"(\"");
  d.syntax_.set_statement_index(1);
  d.syntax_.set_position(13);
  Status s = CheckDownPlan({PlannedDown{&m, &*m.down, false}, PlannedDown{&a, &stored, false}}, d, "");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0002_b/down.sql:2:1: ROLLBACK rolls back the transaction dbroll runs this migration in "
            "part-way: what ran before it is undone, yet the rest of the file and the history row would still be "
            "written -- remove it: dbroll runs the file in one transaction and commits it together with its history "
            "row (`-- dbroll:no-transaction` at the top runs the file statement by statement instead, still without "
            "transaction control); nothing was rolled back\n"
            "stored down of 0001_a:2:14: syntax error at or near \"(\" -- fix the down script and roll back "
            "again; the database was not changed");
}

// Through the engine, on SQLite.
class PreflightEngineTest : public SqliteEngineTest {
 protected:
  std::unique_ptr<Engine> Open() { return OpenWith(Options()); }
  long long Rows(Engine& e) { return Count(e, "SELECT count(*) FROM dbroll_history"); }
};

TEST_F(PreflightEngineTest, BrokenSecondMigrationLeavesTheFirstUnapplied) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "CREATE TABLE b (x int);\nCOMMIT;\nCREATE TABLE b2 (x int);\n", "DROP TABLE b;\n");
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("migrations/0002_b/up.sql:2:1: COMMIT commits the transaction", 0), 0u) << s.message();
  EXPECT_FALSE(HasTable(*e, "a"));
  EXPECT_FALSE(HasTable(*e, "b"));
  EXPECT_EQ(Rows(*e), 0);
  EXPECT_TRUE(obs_.events.empty());
  // A dry run refuses the same plan.
  auto plan = e->PlanMigrate({});
  EXPECT_EQ(plan.status().message(), s.message());
}

TEST_F(PreflightEngineTest, NonTransactionalStatementInALaterMigrationIsFoundFirst) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "CREATE TABLE b (x int);\nVACUUM;\n", "DROP TABLE b;\n");
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.message(),
            "migrations/0002_b/up.sql:2:1: VACUUM cannot run inside a transaction -- add `-- dbroll:no-transaction` "
            "at the top of migrations/0002_b/up.sql; nothing was applied");
  EXPECT_FALSE(HasTable(*e, "a"));
}

// COMMIT; <work>; BEGIN; -- a file that steps out of the migration's
// transaction on purpose. With -- dbroll:no-transaction the COMMIT and BEGIN
// are skipped and the version is recorded applied; without it nothing runs
// and the refusal names the directive.
TEST_F(PreflightEngineTest, StepOutWithNoTransactionRunsAndIsRecordedApplied) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "-- dbroll:no-transaction\nCOMMIT;\nCREATE INDEX a_x ON a (x);\nVACUUM;\nBEGIN;\n",
      "-- dbroll:no-transaction\nCOMMIT;\nDROP INDEX a_x;\nBEGIN TRANSACTION;\n");
  auto e = Open();
  Status s = e->Migrate({});
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Count(*e, "SELECT count(*) FROM sqlite_master WHERE name='a_x'"), 1);
  EXPECT_EQ(Count(*e, "SELECT count(*) FROM dbroll_history WHERE state='applied'"), 2);
  EXPECT_EQ(Count(*e, "SELECT statements_done FROM dbroll_history WHERE version='0002'"), 2);
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_EQ(Count(*e, "SELECT count(*) FROM sqlite_master WHERE name='a_x'"), 0);
  EXPECT_EQ(Rows(*e), 1);
}

TEST_F(PreflightEngineTest, StepOutWithoutTheDirectiveIsRefusedNamingIt) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "-- build the index outside the transaction\ncommit;\nVACUUM;\nCREATE INDEX a_x ON a (x);\nbegin;\n",
      "DROP INDEX a_x;\n");
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "migrations/0002_b/up.sql:2:1: this COMMIT and the BEGIN at line 5 step out of the transaction dbroll runs "
            "this migration in, to run what is between them outside it -- add `-- dbroll:no-transaction` at the top "
            "of migrations/0002_b/up.sql: dbroll then runs the file statement by statement and skips that COMMIT and "
            "BEGIN; nothing was applied");
  EXPECT_FALSE(HasTable(*e, "a"));
  EXPECT_EQ(Rows(*e), 0);
}

TEST(PreflightTest, StepOutIsOnlyABareCommitFirstAndABareBeginLast) {
  auto step = [](const std::string& sql, Dialect d) {
    auto r = internal::SplitStatements("x.sql", sql, d);
    EXPECT_TRUE(r.ok());
    auto s = internal::FindStepOut(r.value(), d);
    return s ? std::to_string(s->commit) + "," + std::to_string(s->begin) : std::string("-");
  };
  const Dialect pg = Dialect::kPostgres;
  EXPECT_EQ(step("COMMIT; CREATE INDEX CONCURRENTLY i ON t (a); BEGIN;", pg), "0,2");
  EXPECT_EQ(step("END TRANSACTION; SELECT 1; SELECT 2; START TRANSACTION;", pg), "0,3");
  EXPECT_EQ(step("commit work; SELECT 1; begin work;", Dialect::kMysql), "0,2");
  EXPECT_EQ(step("COMMIT; BEGIN;", pg), "-");
  EXPECT_EQ(step("BEGIN; SELECT 1; COMMIT;", pg), "-");
  EXPECT_EQ(step("COMMIT AND CHAIN; SELECT 1; BEGIN;", pg), "-");
  EXPECT_EQ(step("COMMIT; SELECT 1; BEGIN ISOLATION LEVEL SERIALIZABLE;", pg), "-");
  EXPECT_EQ(step("SELECT 0; COMMIT; SELECT 1; BEGIN;", pg), "-");
  EXPECT_EQ(step("END; SELECT 1; BEGIN;", Dialect::kMysql), "-");
}

TEST_F(PreflightEngineTest, NulByteAppliesNothingAndRecordsNothing) {
  Add("0001", "a", std::string("CREATE TABLE b (x int);\0 garbage;\n", 35), "DROP TABLE b;\n");
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.message().rfind("migrations/0001_a/up.sql:1:24: NUL byte (0x00) in the file", 0), 0u) << s.message();
  EXPECT_FALSE(HasTable(*e, "b"));
  EXPECT_EQ(Rows(*e), 0);
}

TEST_F(PreflightEngineTest, OverlongReleaseRunsNothing) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  auto e = Open();
  Status s = e->Migrate({.release = std::string(300, 'v')});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  // Refused by the release-tag rule (at most 128 characters) before the column-width check.
  EXPECT_EQ(s.message().rfind("release tag \"vvvv", 0), 0u) << s.message();
  EXPECT_FALSE(HasTable(*e, "a"));
}

TEST_F(PreflightEngineTest, ByteOrderMarkIsSkippedAndTheChecksumCoversTheExactBytes) {
  const std::string up = "\xEF\xBB\xBF-- dbroll:no-transaction\nCREATE TABLE a (x int);\nVACUUM;\n";
  Add("0001", "a", up, "\xEF\xBB\xBF" "DROP TABLE a;\n");
  auto e = Open();
  Status s = e->Migrate({});
  ASSERT_TRUE(s.ok()) << s.ToString();  // VACUUM runs: the directive after the BOM was seen
  EXPECT_TRUE(HasTable(*e, "a"));
  auto r = e->driver().Query("SELECT up_checksum FROM dbroll_history WHERE version = '0001'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->front()[0], internal::Sha256Hex(up));
  auto stmts = internal::SplitStatements("up.sql", up, Dialect::kSqlite);
  ASSERT_TRUE(stmts.ok());
  ASSERT_EQ(stmts->size(), 2u);
  EXPECT_EQ((*stmts)[0].text, "CREATE TABLE a (x int)");
  EXPECT_EQ((*stmts)[0].line, 2);
  EXPECT_EQ((*stmts)[0].column, 1);
  int line = 0, col = 0;
  internal::LineColumnAt("\xEF\xBB\xBFSELECT", 4, &line, &col);
  EXPECT_EQ(col, 2);
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_FALSE(HasTable(*e, "a"));
}

TEST_F(PreflightEngineTest, DownChecksEveryScriptBeforeTheFirstRuns) {
  Add("0001", "a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  Add("0002", "b", "CREATE TABLE b (x int);\n", "DROP TABLE b;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  // The older version's down (run second) is broken: the newer one's must not run.
  (*ms_)[0].down = MakeScript("migrations/0001_a/down.sql", "DROP TABLE a;\nEND;\n");
  Status s = e->Down({.all = true});
  EXPECT_EQ(s.message().rfind("migrations/0001_a/down.sql:2:1: END commits the transaction", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("; nothing was rolled back"), std::string::npos);
  EXPECT_TRUE(HasTable(*e, "b"));
  EXPECT_EQ(Rows(*e), 2);
  // The stored copy is checked too when it is the one that runs (an intact
  // copy: its checksum matches, so only the preflight can refuse it).
  const std::string stored = "DROP TABLE a; ROLLBACK;";
  auto r = e->driver().Query("UPDATE dbroll_history SET down_script = '" + stored + "', down_checksum = '" +
                             internal::Sha256Hex(stored) + "' WHERE version = '0001'");
  ASSERT_TRUE(r.ok());
  s = e->Down({.all = true, .down_source = DownSource::kStored});
  EXPECT_EQ(s.message().rfind("stored down of 0001_a:1:15: ROLLBACK rolls back", 0), 0u) << s.message();
  EXPECT_TRUE(HasTable(*e, "b"));
}

}  // namespace
}  // namespace dbroll::testing
