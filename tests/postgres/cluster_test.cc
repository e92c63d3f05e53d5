// PostgreSQL primary with streaming replicas, failover and pgbouncer, end to
// end with the dbroll binary. The shared cluster comes from
// `eval "$(scripts/start-servers --cluster)"` (DBROLL_TEST_PG_PRIMARY_URL,
// DBROLL_TEST_PG_REPLICA_URLS, DBROLL_TEST_PGBOUNCER_SESSION_URL,
// DBROLL_TEST_PGBOUNCER_TX_URL); the failover and replica-lag tests start a
// throwaway primary + standby pair of their own with scripts/cluster/pg-replicas
// on other ports, so promoting or pausing it disturbs nobody.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/postgres/pg_server.h"
#include "tests/support/child_process.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

#define DBROLL_REQUIRE_PG_CLUSTER()                                                                     \
  DBROLL_NEED_SERVER(                                                                                   \
      Env("DBROLL_TEST_PG_PRIMARY_URL").empty() || Env("DBROLL_TEST_PG_REPLICA_URLS").empty() ||        \
          Env("DBROLL_TEST_PGBOUNCER_SESSION_URL").empty() || Env("DBROLL_TEST_PGBOUNCER_TX_URL").empty(), \
      "DBROLL_TEST_PG_PRIMARY_URL etc. are not set but DBROLL_REQUIRE_SERVERS=1",                       \
      "the PostgreSQL cluster is not running (eval \"$(scripts/start-servers --cluster)\")")

struct RunResult {
  int exit_code = -1;
  std::string output;
};

// Runs `sql` on `url` (read-only: a standby); "" on success, else the error.
std::string Exec(const std::string& url, const std::string& sql, bool read_only = false) {
  DriverOptions o;
  o.url = url;
  o.read_only = read_only;
  auto d = OpenDriver(o);
  if (!d.ok()) return d.status().ToString();
  Status s = (*d)->RunStatement(Statement{sql, "", 1, 1, 0});
  return s.ok() ? "" : s.ToString();
}

std::string Scalar(const std::string& url, const std::string& sql) {
  DriverOptions o;
  o.url = url;
  o.read_only = true;
  auto d = OpenDriver(o);
  if (!d.ok()) return "<error: " + d.status().message() + ">";
  return PgScalar(**d, sql);
}

class PgClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pgt-cluster-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    name_ = "pgt_" + std::string(info->name()).substr(0, 24) + "_" + std::to_string(getpid());
    for (char& c : name_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  void TearDown() override {
    if (!pair_state_.empty()) {
      std::system(("'" + std::string(DBROLL_SOURCE_DIR) + "/scripts/cluster/pg-replicas' --stop '" +
                   pair_state_.string() + "' >/dev/null 2>&1")
                      .c_str());
      fs::remove_all(pair_state_);
    }
    for (const auto& [url, sql] : cleanup_) (void)Exec(url, sql);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void Migrations(int from, int to, const std::string& extra_sql = "", int extra_at = -1) {
    for (int i = from; i <= to; ++i) {
      char v[8];
      std::snprintf(v, sizeof v, "%05d", i);
      const std::string t = "t" + std::to_string(i);
      WriteWholeFile(dir_ / "migrations" / (std::string(v) + "_" + t) / "up.sql",
                (i == extra_at ? extra_sql : "") + "CREATE TABLE " + t + " (id int);\n");
      WriteWholeFile(dir_ / "migrations" / (std::string(v) + "_" + t) / "down.sql", "DROP TABLE " + t + ";\n");
    }
  }
  void Config(const std::string& extra) {
    WriteWholeFile(dir_ / "dbroll.toml", "[migrations]\ndir = \"migrations\"\n" + extra);
  }

  pid_t Start(const std::vector<std::string>& args, const std::string& url, const fs::path& out) {
    std::vector<std::string> argv = {DBROLL_BINARY, "-C", dir_.string(), "--url", url};
    argv.insert(argv.end(), args.begin(), args.end());
    return StartProgram(argv, out);
  }
  fs::path NextOut() { return dir_ / ("out-" + std::to_string(++runs_) + ".txt"); }
  RunResult Dbroll(const std::vector<std::string>& args, const std::string& url) {
    const fs::path out = NextOut();
    RunResult r;
    r.exit_code = WaitForExit(Start(args, url, out));
    r.output = ReadWholeFile(out);
    return r;
  }

  // A throwaway primary on `primary_port` with one streaming standby on
  // primary_port + 1, no pgbouncer: the commands docs/clusters.md shows.
  // The ports lie below Linux's ephemeral range (32768-60999): a server
  // started mid-run cannot find its port taken by some client connection.
  void StartPair(int primary_port) {
    char tmpl[] = "/tmp/pgt-pair-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    pair_state_ = tmpl;
    const std::string cmd = "PGC_PRIMARY_PORT=" + std::to_string(primary_port) +
                            " PGC_REPLICA_PORTS=" + std::to_string(primary_port + 1) + " PGC_PGBOUNCER_PORT=0 '" +
                            std::string(DBROLL_SOURCE_DIR) + "/scripts/cluster/pg-replicas' '" +
                            pair_state_.string() + "' >'" + (dir_ / "pair.log").string() + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << ReadWholeFile(dir_ / "pair.log");
  }
  std::string PairCtl(int port, const std::string& action) {
    const std::string pg_ctl = "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)/pg_ctl -D " +
                               (pair_state_ / ("pg" + std::to_string(port))).string() + " " + action;
    const std::string cmd = (getuid() == 0 ? "su postgres -s /bin/bash -c '" + pg_ctl + "'" : pg_ctl) + " >'" +
                            (dir_ / "ctl.log").string() + "' 2>&1";
    return std::system(cmd.c_str()) == 0 ? "" : ReadWholeFile(dir_ / "ctl.log");
  }

  // Polls until `url` answers `sql` with `want`, for at most 30 s.
  static bool AwaitScalar(const std::string& url, const std::string& sql, const std::string& want) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until) {
      if (Scalar(url, sql) == want) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }
  // Polls until file `p` contains `text`, for at most 30 s.
  static bool AwaitOutput(const fs::path& p, const std::string& text) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until) {
      if (ReadWholeFile(p).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(100ms);
    }
    return false;
  }

  fs::path dir_;
  fs::path pair_state_;
  std::string name_;
  std::vector<std::pair<std::string, std::string>> cleanup_;
  int runs_ = 0;
};

TEST_F(PgClusterTest, StandbyIsRefusedForWritesAndStatusSaysItReadsAReplica) {
  DBROLL_REQUIRE_PG_CLUSTER();
  const std::string primary = PgUrlFor(name_, Env("DBROLL_TEST_PG_PRIMARY_URL"));
  const std::string replicas = Env("DBROLL_TEST_PG_REPLICA_URLS");
  const std::string replica = PgUrlFor(name_, replicas.substr(0, replicas.find(',')));
  ASSERT_EQ(Exec(Env("DBROLL_TEST_PG_PRIMARY_URL"), "CREATE DATABASE " + name_), "");
  cleanup_.push_back({Env("DBROLL_TEST_PG_PRIMARY_URL"), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)"});
  Migrations(1, 2);
  Config("");
  ASSERT_TRUE(AwaitScalar(replica, "SELECT 1", "1")) << "the database did not reach the replica";

  RunResult up = Dbroll({"migrate"}, replica);
  EXPECT_NE(up.exit_code, 0);
  EXPECT_NE(up.output.find(RedactUrl(replica) +
                           " is a standby (read-only replica, in recovery): dbroll changes only a primary -- point "
                           "dbroll at the primary, or list every server in a multi-host URL "
                           "(postgres://h1:5432,h2:5432/db?target_session_attrs=read-write) so libpq picks the one "
                           "that takes writes; nothing was changed"),
            std::string::npos)
      << up.output;
  EXPECT_NE(Dbroll({"down", "--all"}, replica).exit_code, 0);

  ASSERT_EQ(Dbroll({"migrate"}, primary).exit_code, 0);
  ASSERT_TRUE(AwaitScalar(replica, "SELECT count(*) FROM dbroll_history", "2"));
  RunResult status = Dbroll({"status"}, replica);
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("(standby: this reads a read-only replica in recovery, which may lag behind the "
                               "primary)"),
            std::string::npos)
      << status.output;
  EXPECT_NE(status.output.find("current version: 00002"), std::string::npos) << status.output;
  // The primary's status says nothing of the kind.
  RunResult on_primary = Dbroll({"status"}, primary);
  EXPECT_EQ(on_primary.output.find("(standby:"), std::string::npos) << on_primary.output;
}

TEST_F(PgClusterTest, MultiHostUrlFollowsAFailoverAndTheRerunResumesExactlyOnce) {
  DBROLL_REQUIRE_PG_CLUSTER();
  StartPair(25450);
  const std::string p1 = "postgres://postgres@127.0.0.1:25450/postgres";
  ASSERT_EQ(Exec(p1, "CREATE DATABASE failover"), "");
  const std::string multi =
      "postgres://postgres@127.0.0.1:25450,127.0.0.1:25451/failover?target_session_attrs=read-write&connect_timeout=5";
  Migrations(1, 3);
  Config("");
  RunResult first = Dbroll({"migrate"}, multi);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  // Everything committed on the primary has reached the standby before the
  // primary goes away: a failover without loss, as an operator does it.
  ASSERT_TRUE(AwaitScalar("postgres://postgres@127.0.0.1:25451/failover", "SELECT count(*) FROM dbroll_history", "3"));
  ASSERT_EQ(PairCtl(25450, "-m fast -w stop"), "");
  ASSERT_EQ(PairCtl(25451, "-w promote"), "");

  Migrations(4, 6);
  RunResult rerun = Dbroll({"migrate"}, multi);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  const std::string now_primary = "postgres://postgres@127.0.0.1:25451/failover";
  EXPECT_EQ(Scalar(now_primary, "SELECT pg_is_in_recovery()"), "f");
  EXPECT_EQ(Scalar(now_primary, "SELECT count(*) || '/' || count(DISTINCT version) FROM dbroll_history"), "6/6");
  EXPECT_EQ(Scalar(now_primary, "SELECT count(*) FROM pg_tables WHERE tablename ~ '^t[0-9]+$'"), "6");
  RunResult again = Dbroll({"migrate"}, multi);
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("nothing to migrate"), std::string::npos) << again.output;
}

TEST_F(PgClusterTest, MaxReplicaLagWaitIsVisibleAndBounded) {
  DBROLL_REQUIRE_PG_CLUSTER();
  StartPair(25452);
  const std::string primary = "postgres://postgres@127.0.0.1:25452/postgres";
  const std::string standby = "postgres://postgres@127.0.0.1:25453/postgres";
  ASSERT_EQ(Exec(standby, "SELECT pg_wal_replay_pause()", true), "");
  // The second migration takes 1.5 s: by its end the standby, which replays
  // nothing, is 1.5 s behind the first one's commit.
  Migrations(1, 2, "SELECT pg_sleep(1.5);\n", 2);
  Config("[postgres]\nmax_replica_lag = \"1s\"\nreplica_wait_timeout = \"2s\"\n");
  RunResult bounded = Dbroll({"migrate"}, primary);
  EXPECT_NE(bounded.exit_code, 0);
  EXPECT_NE(bounded.output.find("waiting for replicas: lag "), std::string::npos) << bounded.output;
  EXPECT_NE(bounded.output.find(" > 1.0 s (replica_25453 at 127.0.0.1)"), std::string::npos) << bounded.output;
  EXPECT_NE(bounded.output.find("00002_t2 is done; replica replica_25453 at 127.0.0.1 is still "), std::string::npos)
      << bounded.output;
  EXPECT_NE(bounded.output.find("more than [postgres] max_replica_lag (1.0 s) -- the migrations so far are applied"),
            std::string::npos)
      << bounded.output;
  EXPECT_EQ(Scalar(primary, "SELECT count(*) FROM dbroll_history"), "2");

  // Waiting longer: the run goes on once the standby replays again.
  Migrations(3, 4, "SELECT pg_sleep(1.5);\n", 4);
  Config("[postgres]\nmax_replica_lag = \"1s\"\nreplica_wait_timeout = \"60s\"\n");
  const fs::path out = NextOut();
  const pid_t pid = Start({"migrate"}, primary, out);
  EXPECT_TRUE(AwaitOutput(out, "waiting for replicas: lag ")) << ReadWholeFile(out);
  EXPECT_EQ(Exec(standby, "SELECT pg_wal_replay_resume()", true), "");
  EXPECT_EQ(WaitForExit(pid), 0) << ReadWholeFile(out);
  EXPECT_NE(ReadWholeFile(out).find("replicas caught up: lag "), std::string::npos) << ReadWholeFile(out);
  EXPECT_EQ(Scalar(primary, "SELECT count(*) FROM dbroll_history"), "4");
}

// Through pgbouncer both pools reach the primary's `postgres` database; each
// test keeps its history and tables in a schema of its own.
TEST_F(PgClusterTest, PgbouncerSessionPoolFourConcurrentRunnersApplyEachVersionOnce) {
  DBROLL_REQUIRE_PG_CLUSTER();
  cleanup_.push_back({Env("DBROLL_TEST_PG_PRIMARY_URL"), "DROP SCHEMA IF EXISTS " + name_ + " CASCADE"});
  Migrations(1, 20);
  Config("[database]\nschema = \"" + name_ + "\"\n");
  std::vector<std::pair<pid_t, fs::path>> runners;
  for (int i = 0; i < 4; ++i) {
    const fs::path out = NextOut();
    runners.push_back({Start({"migrate"}, Env("DBROLL_TEST_PGBOUNCER_SESSION_URL"), out), out});
  }
  for (const auto& [pid, out] : runners) EXPECT_EQ(WaitForExit(pid), 0) << ReadWholeFile(out);
  const std::string primary = Env("DBROLL_TEST_PG_PRIMARY_URL");
  EXPECT_EQ(Scalar(primary, "SELECT count(*) || '/' || count(DISTINCT version) FROM " + name_ + ".dbroll_history"),
            "20/20");
  EXPECT_EQ(Scalar(primary, "SELECT count(*) FROM pg_tables WHERE schemaname = '" + name_ + "' AND tablename ~ '^t[0-9]+$'"),
            "20");
}

TEST_F(PgClusterTest, PgbouncerTransactionPoolIsRefusedWithoutChangingAnything) {
  DBROLL_REQUIRE_PG_CLUSTER();
  cleanup_.push_back({Env("DBROLL_TEST_PG_PRIMARY_URL"), "DROP SCHEMA IF EXISTS " + name_ + " CASCADE"});
  Migrations(1, 20);
  Config("[database]\nschema = \"" + name_ + "\"\n");
  const std::string tx = Env("DBROLL_TEST_PGBOUNCER_TX_URL");
  std::vector<std::pair<pid_t, fs::path>> runners;
  for (int i = 0; i < 4; ++i) {
    const fs::path out = NextOut();
    runners.push_back({Start({"migrate"}, tx, out), out});
  }
  for (const auto& [pid, out] : runners) {
    EXPECT_NE(WaitForExit(pid), 0) << ReadWholeFile(out);
    EXPECT_NE(ReadWholeFile(out).find(RedactUrl(tx) +
                                 " goes through a connection pool in transaction pooling mode (pgbouncer pool_mode = "
                                 "transaction)"),
              std::string::npos)
        << ReadWholeFile(out);
    EXPECT_NE(ReadWholeFile(out).find("point dbroll at a session-mode pool or a direct URL of the primary; nothing was "
                                 "changed"),
              std::string::npos)
        << ReadWholeFile(out);
  }
  EXPECT_EQ(Scalar(Env("DBROLL_TEST_PG_PRIMARY_URL"),
                   "SELECT count(*) FROM pg_namespace WHERE nspname = '" + name_ + "'"),
            "0");
}

TEST_F(PgClusterTest, DeclaredTransactionPoolerIsRefused) {
  DBROLL_REQUIRE_PG_CLUSTER();
  Migrations(1, 1);
  Config("[postgres]\npooler = \"transaction\"\n");
  const std::string primary = Env("DBROLL_TEST_PG_PRIMARY_URL");
  RunResult r = Dbroll({"migrate"}, primary);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("nothing was changed ([postgres] pooler)"), std::string::npos) << r.output;
  Config("[postgres]\npooler = \"sometimes\"\n");
  r = Dbroll({"status"}, primary);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("[postgres] pooler = \"sometimes\": not a pooling mode -- use \"auto\" (the default), "
                          "\"none\", \"session\" or \"transaction\""),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace dbroll::testing
