// The driver conformance suite, part two: dbroll's own tables on each driver
// -- created once, upgraded from format 1, rows that come back byte for byte,
// progress rows, and the runner lock freed when its holder is killed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "engine/history.h"
#include "tests/drivers/conformance.h"

namespace dbroll::testing {
namespace {

using internal::History;
using internal::kHistoryFormat;

HistoryRow NewRow(const std::string& version) {
  HistoryRow r;
  r.version = version;
  r.name = "conf";
  r.up_checksum = std::string(64, 'a');
  r.down_checksum = std::string(64, 'b');
  r.down_script = "DROP TABLE conf;\n";
  r.applied_at = "2026-12-05T09:00:00.000Z";
  r.applied_by = "tester@host";
  r.statement_checksums = "c1,c2";
  return r;
}

std::string Format(Driver& d) {
  auto r = d.Query("SELECT v FROM dbroll_history_meta WHERE k='format'");
  if (!r.ok()) return "error: " + r.status().message();
  return r->empty() || !r->front()[0] ? "<none>" : *r->front()[0];
}

// The one row of `version`, read back as the engine reads it.
std::optional<HistoryRow> ReadRow(History& h, const std::string& version) {
  auto rows = h.Read(true);
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  if (!rows.ok()) return std::nullopt;
  for (auto& r : rows.value()) {
    if (r.version == version) return r;
  }
  return std::nullopt;
}

}  // namespace

TEST_P(DriverConformance, HistoryTablesAreCreatedOnceWithTheCurrentFormat) {
  auto d = Open();
  ASSERT_TRUE(d);
  History h(d.get(), "", "dbroll_history");
  auto before = h.Exists();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_FALSE(before.value());
  ASSERT_TRUE(h.Ensure().ok());
  ASSERT_TRUE(h.Ensure().ok()) << "Ensure is idempotent";
  auto after = h.Exists();
  EXPECT_TRUE(after.ok() && after.value());
  EXPECT_EQ(Format(*d), std::to_string(kHistoryFormat));
  EXPECT_EQ(Count(*d, "dbroll_history_meta"), 1);
  EXPECT_EQ(Count(*d, "dbroll_history"), 0);
  EXPECT_EQ(Count(*d, "dbroll_log"), 0);
}

TEST_P(DriverConformance, Format1HistoryIsUpgradedAndKeepsItsRows) {
  auto d = Open();
  ASSERT_TRUE(d);
  History h(d.get(), "", "dbroll_history");
  ASSERT_TRUE(h.Ensure().ok());
  // Format 1: no intent columns, and a row written then.
  ASSERT_TRUE(d->RunStatement(S("ALTER TABLE dbroll_history DROP COLUMN catalog_before")).ok());
  ASSERT_TRUE(d->RunStatement(S("ALTER TABLE dbroll_history DROP COLUMN session_id")).ok());
  ASSERT_TRUE(d->RunTransaction({}, {"UPDATE dbroll_history_meta SET v='1' WHERE k='format'",
                                     "INSERT INTO dbroll_history (version, name, up_checksum, applied_at, applied_by, "
                                     "state, statements_done) VALUES ('0001', 'old', 'x', 'then', 'me', 'applied', 1)"})
                  .ok());
  ASSERT_TRUE(h.Ensure().ok());
  EXPECT_EQ(Format(*d), std::to_string(kHistoryFormat));
  auto old = ReadRow(h, "0001");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->name, "old");
  EXPECT_FALSE(old->session_id.has_value());
  HistoryRow fresh = NewRow("0002");
  fresh.session_id = "42";
  ASSERT_TRUE(d->RunTransaction({}, {h.InsertSql(fresh)}).ok()) << "the upgraded table takes rows in its new order";
  auto back = ReadRow(h, "0002");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->session_id.value_or("<null>"), "42");
}

TEST_P(DriverConformance, HistoryOfANewerFormatIsRefused) {
  auto d = Open();
  ASSERT_TRUE(d);
  History h(d.get(), "", "dbroll_history");
  ASSERT_TRUE(h.Ensure().ok());
  ASSERT_TRUE(d->RunTransaction({}, {"UPDATE dbroll_history_meta SET v='99' WHERE k='format'"}).ok());
  Status s = h.Ensure();
  EXPECT_EQ(s.code(), Code::kUnsupported);
  EXPECT_EQ(s.message(), "dbroll_history has format 99, newer than this dbroll understands (" +
                             std::to_string(kHistoryFormat) + ") -- upgrade dbroll");
}

TEST_P(DriverConformance, HistoryRowComesBackByteExact) {
  auto d = Open();
  ASSERT_TRUE(d);
  History h(d.get(), "", "dbroll_history");
  ASSERT_TRUE(h.Ensure().ok());
  HistoryRow r = NewRow("0001");
  r.name = "it's \"quoted\"";
  r.down_script = "-- a\\b c:\\path\\n 'single' \"double\" `tick` \\' \\\\ %s ? $1 \t tab\r\nDROP TABLE t; -- é ü 日本\n";
  r.irreversible = "can't \\ undo";
  r.release = "v1.2.3";
  r.error = "ERROR: \"x\" at '\\'";
  r.duration_ms = 1234567890123LL;
  r.state = HistoryState::kFailed;
  r.statements_done = 7;
  r.down_no_transaction = true;
  r.session_id = "sess-1";
  r.catalog_before = "fp:abc\\def'";
  ASSERT_TRUE(d->RunTransaction({}, {h.InsertSql(r)}).ok());
  auto back = ReadRow(h, "0001");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->name, r.name);
  EXPECT_EQ(back->down_script, r.down_script);
  EXPECT_EQ(back->irreversible, r.irreversible);
  EXPECT_EQ(back->release, r.release);
  EXPECT_EQ(back->error, r.error);
  EXPECT_EQ(back->duration_ms, r.duration_ms);
  EXPECT_EQ(back->state, HistoryState::kFailed);
  EXPECT_EQ(back->statements_done, 7);
  EXPECT_TRUE(back->down_no_transaction);
  EXPECT_EQ(back->session_id, r.session_id);
  EXPECT_EQ(back->catalog_before, r.catalog_before);
  EXPECT_EQ(back->statement_checksums, "c1,c2");
  // An upsert of the same version replaces the row, byte-exact again.
  r.down_script = std::string("SELECT '\\\\';\n");
  ASSERT_TRUE(d->RunTransaction({}, {h.UpsertSql(r)}).ok());
  EXPECT_EQ(ReadRow(h, "0001")->down_script, r.down_script);
  EXPECT_EQ(Count(*d, "dbroll_history"), 1);
}

TEST_P(DriverConformance, OneMegabyteDownScriptIsStoredWhole) {
  auto d = Open();
  ASSERT_TRUE(d);
  History h(d.get(), "", "dbroll_history");
  ASSERT_TRUE(h.Ensure().ok());
  std::string big;
  while (big.size() < (1u << 20)) big += "INSERT INTO t VALUES ('it''s \\ row " + std::to_string(big.size()) + "');\n";
  HistoryRow r = NewRow("0001");
  r.down_script = big;
  ASSERT_TRUE(d->RunTransaction({}, {h.InsertSql(r)}).ok());
  auto back = ReadRow(h, "0001");
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->down_script.has_value());
  EXPECT_EQ(back->down_script->size(), big.size());
  EXPECT_TRUE(*back->down_script == big);
}

// A NUL byte cannot pass through every driver's SQL text: the write is
// refused, or the text comes back whole -- never cut at the NUL.
TEST_P(DriverConformance, NulInHistoryTextIsRefusedOrKeptWhole) {
  auto d = Open();
  ASSERT_TRUE(d);
  History h(d.get(), "", "dbroll_history");
  ASSERT_TRUE(h.Ensure().ok());
  HistoryRow r = NewRow("0001");
  r.down_script = std::string("DROP TABLE a;\0DROP TABLE b;\n", 28);
  Status s = d->RunTransaction({}, {h.InsertSql(r)});
  if (!s.ok()) {
    EXPECT_EQ(s.code(), Code::kDatabaseError) << s.ToString();
    EXPECT_EQ(Count(*d, "dbroll_history"), 0) << "a refused write leaves no row";
    return;
  }
  auto back = ReadRow(h, "0001");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->down_script, r.down_script);
}

// The progress of a statement-by-statement run: its intent, then its end.
TEST_P(DriverConformance, ProgressRowsRecordIntentAndClearIt) {
  auto d = Open();
  ASSERT_TRUE(d);
  History h(d.get(), "", "dbroll_history");
  ASSERT_TRUE(h.Ensure().ok());
  HistoryRow r = NewRow("0001");
  r.state = HistoryState::kRunning;
  ASSERT_TRUE(d->RunTransaction({}, {h.InsertSql(r)}).ok());
  ASSERT_TRUE(d->RunTransaction({}, {h.StateSql("0001", HistoryState::kRunning, 2, std::string("sess-9"),
                                                h.Literal("fp:before"))})
                  .ok());
  auto mid = ReadRow(h, "0001");
  ASSERT_TRUE(mid);
  EXPECT_EQ(mid->state, HistoryState::kRunning);
  EXPECT_EQ(mid->statements_done, 2);
  EXPECT_EQ(mid->session_id.value_or("<null>"), "sess-9");
  EXPECT_EQ(mid->catalog_before.value_or("<null>"), "fp:before");
  ASSERT_TRUE(d->RunTransaction({}, {h.StateSql("0001", HistoryState::kApplied, 3, std::nullopt, "NULL",
                                                std::nullopt, 55)})
                  .ok());
  auto end = ReadRow(h, "0001");
  ASSERT_TRUE(end);
  EXPECT_EQ(end->state, HistoryState::kApplied);
  EXPECT_EQ(end->statements_done, 3);
  EXPECT_EQ(end->duration_ms, 55);
  EXPECT_FALSE(end->session_id.has_value());
  EXPECT_FALSE(end->catalog_before.has_value());
  // Two rows in one statement: both or neither.
  HistoryRow a = NewRow("0002"), b = NewRow("0003");
  ASSERT_TRUE(d->RunTransaction({}, {h.UpsertSql(a, b, nullptr)}).ok());
  EXPECT_EQ(Count(*d, "dbroll_history"), 3);
  ASSERT_TRUE(d->RunTransaction({}, {h.DeleteSql("0002")}).ok());
  EXPECT_FALSE(ReadRow(h, "0002").has_value());
  EXPECT_EQ(Count(*d, "dbroll_history"), 2);
}

// The lock of a runner whose process is killed (SIGKILL: no Unlock, no
// destructor) is freed by the server or the OS.
TEST_P(DriverConformance, LockOfAKilledHolderIsFreed) {
  auto waiter = Open();
  ASSERT_TRUE(waiter);
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(ready[0]);
    auto holder = GetParam().open(/*same=*/true);
    const char ok = holder.ok() && (*holder)->Lock(std::chrono::seconds(5)).ok() ? 'L' : 'E';
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    for (;;) pause();  // holds the lock until killed
  }
  close(ready[1]);
  char got = 0;
  ssize_t n;
  do n = read(ready[0], &got, 1);
  while (n < 0 && errno == EINTR);
  close(ready[0]);
  EXPECT_EQ(got, 'L') << "the child could not take the lock";
  if (got == 'L') {
    Status busy = waiter->Lock(std::chrono::milliseconds(200));
    EXPECT_EQ(busy.code(), Code::kLockTimeout) << busy.ToString();
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  Status s = waiter->Lock(std::chrono::seconds(10));
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(waiter->Unlock().ok());
}

}  // namespace dbroll::testing
