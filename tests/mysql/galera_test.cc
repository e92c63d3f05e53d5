// End-to-end on a real three-node MariaDB Galera cluster (DBROLL_TEST_GALERA_URLS, set by
// `eval "$(scripts/start-servers --cluster)"`): one runner per node at once, node states dbroll
// refuses, RSU, and killing the node dbroll is connected to. The tests change the cluster (desync,
// OSU method, a killed node), so CTest runs this binary alone (RESOURCE_LOCK galera); the kill test
// restarts the node with scripts/cluster/galera, which rejoins it by IST.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/mysql/my_server.h"
#include "tests/support/child_process.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> GaleraUrls() {
  const char* env = std::getenv("DBROLL_TEST_GALERA_URLS");
  std::vector<std::string> out;
  std::stringstream ss(env ? env : "");
  for (std::string u; std::getline(ss, u, ',');) {
    if (!u.empty()) out.push_back(u);
  }
  return out;
}

#define DBROLL_NEED_GALERA()                                                                           \
  DBROLL_NEED_SERVER(GaleraUrls().size() != 3,                                                         \
                     "DBROLL_TEST_GALERA_URLS does not name three nodes -- eval \"$(scripts/start-servers " \
                     "--cluster)\"",                                                                  \
                     "DBROLL_TEST_GALERA_URLS is not set")

// Runs `f` at the end of the scope, whether the test passed or not.
class Cleanup {
 public:
  explicit Cleanup(std::function<void()> f) : f_(std::move(f)) {}
  ~Cleanup() { f_(); }
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;

 private:
  std::function<void()> f_;
};

class GaleraTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBROLL_NEED_GALERA();
    urls_ = GaleraUrls();
    static int n = 0;
    ++n;
    dir_ = fs::temp_directory_path() / ("dbroll-galera-" + std::to_string(getpid()) + "-" + std::to_string(n));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "migrations");
    Config("");
    db_ = MyName("gal" + std::to_string(n));
    ASSERT_TRUE(Admin(0, "DROP DATABASE IF EXISTS `" + db_ + "`").ok());
    ASSERT_TRUE(Admin(0, "CREATE DATABASE `" + db_ + "`").ok());
    for (int i = 0; i < 3; ++i) ASSERT_EQ(Causal(i, SchemaCountSql()), "1") << "node " << i;
  }
  void TearDown() override {
    if (!db_.empty()) (void)Admin(0, "DROP DATABASE IF EXISTS `" + db_ + "`");
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void Config(const std::string& extra) {
    std::ofstream(dir_ / "dbroll.toml") << "[migrations]\ndir = \"migrations\"\n" << extra;
  }
  void Pair(const std::string& id, const std::string& up, const std::string& down) {
    fs::create_directories(dir_ / "migrations" / id);
    std::ofstream(dir_ / "migrations" / id / "up.sql") << up;
    std::ofstream(dir_ / "migrations" / id / "down.sql") << down;
  }
  std::string DbUrl(int node) const { return MyUrlFor(db_, urls_[node]); }
  std::string SchemaCountSql() const {
    return "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE schema_name = '" + db_ + "'";
  }

  // Runs `sql` on the node's admin database.
  Status Admin(int node, const std::string& sql) {
    auto d = MyOpen(urls_[node]);
    if (!d) return Status(Code::kConnectionLost, "cannot open node " + std::to_string(node));
    return d->RunStatement(Statement{sql, "", 1, 1, 0});
  }
  // The first value of `sql` on the node once it has applied every write the cluster committed
  // before (wsrep_sync_wait): an awaited event, not a sleep.
  std::string Causal(int node, const std::string& sql) {
    auto d = MyOpen(urls_[node]);
    if (!d) return "<no connection>";
    if (Status s = d->RunStatement(Statement{"SET SESSION wsrep_sync_wait = 1", "", 1, 1, 0}); !s.ok()) {
      return "<error: " + s.message() + ">";
    }
    return MyScalar(*d, sql);
  }
  std::string CausalInDb(int node, const std::string& sql) {
    auto d = MyOpen(DbUrl(node));
    if (!d) return "<no connection>";
    (void)d->RunStatement(Statement{"SET SESSION wsrep_sync_wait = 1", "", 1, 1, 0});
    return MyScalar(*d, sql);
  }

  std::string Command(const std::string& args, int node) const {
    return "'" + std::string(DBROLL_BINARY) + "' -C '" + dir_.string() + "' --url '" + DbUrl(node) + "' " + args;
  }
  pid_t Start(const std::string& args, int node, const fs::path& out) const {
    return StartShell(Command(args, node), out);
  }
  struct Run {
    int code;
    std::string out;
  };
  Run Dbroll(const std::string& args, int node) {
    const fs::path out = dir_ / "out.txt";
    return Run{WaitForExit(Start(args, node, out)), ReadWholeFile(out)};
  }

  // What every node must agree on: the history rows and the schema.
  std::string HistorySummary(int node) {
    return CausalInDb(node,
                      "SELECT CONCAT(COUNT(*), '/', COUNT(DISTINCT version), ' ', "
                      "MD5(GROUP_CONCAT(version, ':', up_checksum, ':', state ORDER BY version))) "
                      "FROM dbroll_history");
  }
  std::string SchemaFingerprint(int node) {
    auto d = MyOpen(DbUrl(node));
    if (!d) return "<no connection>";
    (void)d->RunStatement(Statement{"SET SESSION wsrep_sync_wait = 1", "", 1, 1, 0});
    return MyScalar(*d, "SELECT " + d->CatalogFingerprintSql({}, "dbroll_", FingerprintScope::kStructure));
  }

  // Starts `dbroll migrate` on node 2 and kills that node's mariadbd with SIGKILL as soon as a
  // statement LIKE `pattern` runs there; sets killed_runner_code_ to the runner's exit code.
  void MigrateOnNode2AndKillItDuring(const std::string& pattern, const fs::path& out) {
    auto node2 = MyOpen(urls_[2]);
    ASSERT_TRUE(node2);
    // The driver's causal reads (wsrep_sync_wait) would wait for the TOI DDL itself to finish.
    ASSERT_TRUE(node2->RunStatement(Statement{"SET SESSION wsrep_sync_wait = 0", "", 1, 1, 0}).ok());
    const std::string pid_file = MyScalar(*node2, "SELECT @@pid_file");
    state_dir_ = fs::path(MyScalar(*node2, "SELECT @@datadir")).parent_path().parent_path();  // ".../n2/"
    const pid_t server = std::atoi(ReadWholeFile(pid_file).c_str());
    ASSERT_GT(server, 0) << pid_file;
    const pid_t runner = Start("migrate", 2, out);
    bool running = false;
    for (int i = 0; i < 3000 && !running; ++i) {
      // The DDL may show twice (the client thread and a wsrep thread): any count but 0 is running.
      const std::string n = MyScalar(*node2, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE db = '" +
                                                 db_ + "' AND info LIKE '" + pattern + "'");
      running = !n.empty() && n != "0";
      if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    node2.reset();
    if (!running) {
      kill(runner, SIGKILL);
      WaitForExit(runner);
      FAIL() << "no statement LIKE '" << pattern << "' ran on node 2:\n" << ReadWholeFile(out);
    }
    ASSERT_EQ(kill(server, SIGKILL), 0) << "cannot kill mariadbd " << server << " (tests run as root in CI)";
    killed_runner_code_ = WaitForExit(runner);
  }
  // The start script restarts the killed node, which rejoins by IST.
  void HealCluster() {
    const std::string heal = "'" + std::string(DBROLL_SOURCE_DIR) + "/scripts/cluster/galera' '" + state_dir_.string() +
                             "' >'" + (dir_ / "heal.txt").string() + "' 2>&1";
    const int healed = std::system(heal.c_str());
    ASSERT_EQ(WIFEXITED(healed) ? WEXITSTATUS(healed) : -1, 0) << ReadWholeFile(dir_ / "heal.txt");
  }

  std::vector<std::string> urls_;
  fs::path dir_;
  std::string db_;
  fs::path state_dir_;
  int killed_runner_code_ = -1;
};

TEST_F(GaleraTest, ThreeRunnersOnePerNodeApplyEveryVersionExactlyOnce) {
  for (int i = 1; i <= 50; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "%05d_t%d", i, i);
    const std::string t = "t" + std::to_string(i);
    // DDL and DML: the DML insert shows a doubled run as a doubled row.
    Pair(id,
         "CREATE TABLE " + t + " (id INT PRIMARY KEY AUTO_INCREMENT, v INT);\nINSERT INTO " + t + " (v) VALUES (" +
             std::to_string(i) + ");\n",
         "DROP TABLE " + t + ";\n");
  }
  std::vector<pid_t> runners;
  for (int node = 0; node < 3; ++node) {
    runners.push_back(Start("--lock-timeout 120s migrate", node, dir_ / ("out" + std::to_string(node) + ".txt")));
  }
  int applied = 0;
  for (int node = 0; node < 3; ++node) {
    const int code = WaitForExit(runners[node]);
    const std::string out = ReadWholeFile(dir_ / ("out" + std::to_string(node) + ".txt"));
    EXPECT_EQ(code, 0) << "runner on node " << node << ":\n" << out;
    std::smatch m;
    if (std::regex_search(out, m, std::regex("applied (\\d+) migration"))) applied += std::stoi(m[1]);
  }
  EXPECT_EQ(applied, 50) << "the three runners together applied each version once";
  const std::string history = HistorySummary(0);
  EXPECT_EQ(history.substr(0, 6), "50/50 ") << history;
  const std::string schema = SchemaFingerprint(0);
  EXPECT_EQ(schema.rfind("fp:", 0), 0u) << schema;
  for (int node = 0; node < 3; ++node) {
    EXPECT_EQ(HistorySummary(node), history) << "node " << node;
    EXPECT_EQ(SchemaFingerprint(node), schema) << "node " << node;
    EXPECT_EQ(CausalInDb(node, "SELECT COUNT(*) FROM t50"), "1") << "node " << node;
    EXPECT_EQ(CausalInDb(node, "SELECT COUNT(*) FROM dbroll_lock"), "0") << "released: node " << node;
  }
}

// A node that lags (here: desynced by hand, as for a backup) is refused, naming the node and state.
TEST_F(GaleraTest, DesyncedNodeIsRefused) {
  Pair("00001_a", "CREATE TABLE a (id INT PRIMARY KEY);\n", "DROP TABLE a;\n");
  const std::string name = Causal(2, "SELECT @@wsrep_node_name");
  ASSERT_TRUE(Admin(2, "SET GLOBAL wsrep_desync = ON").ok());
  Cleanup resync([this] { (void)Admin(2, "SET GLOBAL wsrep_desync = OFF"); });
  auto node2 = MyOpen(urls_[2]);
  ASSERT_TRUE(node2);
  ASSERT_EQ(MyScalar(*node2,
                     "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS "
                     "WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'"),
            "Donor/Desynced");
  Run r = Dbroll("migrate", 2);
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find(DbUrl(2) + ": Galera node " + name +
                       " is not synced with the cluster (wsrep_cluster_status = Primary, wsrep_local_state_comment = "
                       "Donor/Desynced): it may lag behind or be donating a state transfer -- wait until it reports "
                       "Synced, or run dbroll against a synced node; nothing was changed"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Causal(0, "SELECT COUNT(*) FROM information_schema.TABLES WHERE table_schema = '" + db_ + "'"), "0");
  // Reading through it is fine.
  Run status = Dbroll("status", 2);
  EXPECT_LT(status.code, 2) << status.out;
}

// RSU runs DDL on this node only: dbroll refuses a session in RSU unless the user asked for it,
// and with galera_osu = "rsu" the table appears on that node alone while the history replicates.
TEST_F(GaleraTest, RsuOnlyWhenConfiguredAndThenOnThisNodeOnly) {
  Pair("00001_a", "CREATE TABLE a (id INT PRIMARY KEY);\n", "DROP TABLE a;\n");
  ASSERT_TRUE(Admin(1, "SET GLOBAL wsrep_OSU_method = 'RSU'").ok());
  Cleanup toi([this] { (void)Admin(1, "SET GLOBAL wsrep_OSU_method = 'TOI'"); });
  Run refused = Dbroll("migrate", 1);
  EXPECT_EQ(refused.code, 2) << refused.out;
  EXPECT_NE(refused.out.find("runs DDL with wsrep_OSU_method = RSU (only on this node, not cluster-wide) -- set "
                             "[mysql] galera_osu = \"rsu\" to migrate node by node on purpose"),
            std::string::npos)
      << refused.out;

  Config("[mysql]\ngalera_osu = \"rsu\"\n");
  Run rsu = Dbroll("migrate", 1);
  ASSERT_EQ(rsu.code, 0) << rsu.out;
  const std::string has_a =
      "SELECT COUNT(*) FROM information_schema.TABLES WHERE table_schema = '" + db_ + "' AND table_name = 'a'";
  EXPECT_EQ(Causal(1, has_a), "1");
  EXPECT_EQ(Causal(0, has_a), "0") << "RSU: the DDL ran on node 1 only";
  EXPECT_EQ(CausalInDb(0, "SELECT COUNT(*) FROM dbroll_history WHERE state = 'applied'"), "1")
      << "the history is data: it replicates";
}

TEST_F(GaleraTest, GaleraSettingsAreChecked) {
  Pair("00001_a", "CREATE TABLE a (id INT PRIMARY KEY);\n", "DROP TABLE a;\n");
  Config("[mysql]\ngalera_lock_ttl = \"1s\"\n");
  Run ttl = Dbroll("migrate", 0);
  EXPECT_EQ(ttl.code, 2) << ttl.out;
  EXPECT_NE(
      ttl.out.find("[mysql] galera_lock_ttl = \"1s\" is shorter than 3s -- use at least \"3s\" (default \"30s\")"),
      std::string::npos)
      << ttl.out;
  Config("[mysql]\ngalera_osu = \"nbo\"\n");
  Run osu = Dbroll("migrate", 0);
  EXPECT_EQ(osu.code, 2) << osu.out;
  EXPECT_NE(osu.out.find("[mysql] galera_osu = \"nbo\" is not \"toi\" or \"rsu\""), std::string::npos) << osu.out;
  Config("[mysql]\ngalera_lock_ttl = \"5s\"\ngalera_osu = \"toi\"\n");
  Run ok = Dbroll("migrate", 0);
  EXPECT_EQ(ok.code, 0) << ok.out;
  EXPECT_EQ(CausalInDb(2, "SELECT COUNT(*) FROM a"), "0") << "TOI: the table exists on node 2 too";
}

// Kill -9 the node dbroll is connected to while a migration runs: dbroll reports the lost
// connection (exit 3), a rerun against another node takes the dead runner's lock over and
// finishes with every version exactly once, and the killed node rejoins by IST.
TEST_F(GaleraTest, KilledNodeMidMigrationThenRerunOnAnotherNodeResumes) {
  for (int i = 1; i <= 3; ++i) {
    Pair("0000" + std::to_string(i) + "_t" + std::to_string(i), "CREATE TABLE t" + std::to_string(i) + " (id INT);\n",
         "DROP TABLE t" + std::to_string(i) + ";\n");
  }
  Pair("00004_slow", "INSERT INTO t1 VALUES (4);\nSELECT SLEEP(5);\n", "DELETE FROM t1;\n");
  for (int i = 5; i <= 8; ++i) {
    Pair("0000" + std::to_string(i) + "_t" + std::to_string(i), "CREATE TABLE t" + std::to_string(i) + " (id INT);\n",
         "DROP TABLE t" + std::to_string(i) + ";\n");
  }
  const fs::path out = dir_ / "killed.txt";
  ASSERT_NO_FATAL_FAILURE(MigrateOnNode2AndKillItDuring("SELECT SLEEP%", out));
  EXPECT_EQ(killed_runner_code_, 3) << ReadWholeFile(out);
  EXPECT_NE(ReadWholeFile(out).find("is gone (server restart, network, or KILL)"), std::string::npos) << ReadWholeFile(out);

  Run rerun = Dbroll("migrate", 0);
  EXPECT_EQ(rerun.code, 0) << rerun.out;
  for (int node = 0; node < 2; ++node) {
    EXPECT_EQ(HistorySummary(node).substr(0, 4), "8/8 ") << "node " << node;
    EXPECT_EQ(CausalInDb(node, "SELECT COUNT(*) FROM t1"), "1") << "00004 ran exactly once, node " << node;
  }
  ASSERT_NO_FATAL_FAILURE(HealCluster());
  EXPECT_EQ(HistorySummary(2), HistorySummary(0));
  EXPECT_EQ(SchemaFingerprint(2), SchemaFingerprint(0));
  EXPECT_EQ(CausalInDb(2, "SELECT COUNT(*) FROM t1"), "1");
}

// A DDL statement runs under TOI on every node: killed on the node dbroll talks to, it may still
// complete on the others. The rerun on another node finds out from the catalog fingerprint (the
// dead session's node left the cluster, so it no longer runs) and never runs it twice: a second
// ADD COLUMN c would fail.
TEST_F(GaleraTest, KilledNodeDuringTOIDdlThenRerunDoesNotRunItTwice) {
  Pair("00001_t",
       "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(100));\n"
       "INSERT INTO t SELECT seq, REPEAT('x', 100) FROM seq_1_to_400000;\n",
       "DROP TABLE t;\n");
  ASSERT_EQ(Dbroll("migrate", 0).code, 0);
  Pair("00002_alter", "ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 1, ALGORITHM=COPY;\n",
       "ALTER TABLE t DROP COLUMN c;\n");
  Pair("00003_after", "CREATE TABLE after_t (id INT PRIMARY KEY);\n", "DROP TABLE after_t;\n");
  const fs::path out = dir_ / "killed.txt";
  ASSERT_NO_FATAL_FAILURE(MigrateOnNode2AndKillItDuring("ALTER TABLE t%", out));
  EXPECT_EQ(killed_runner_code_, 3) << ReadWholeFile(out);

  Run rerun = Dbroll("migrate", 0);
  EXPECT_EQ(rerun.code, 0) << rerun.out;
  for (int node = 0; node < 2; ++node) {
    EXPECT_EQ(HistorySummary(node).substr(0, 4), "3/3 ") << "node " << node;
    EXPECT_EQ(CausalInDb(node, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE table_schema = '" + db_ +
                                   "' AND table_name = 't' AND column_name = 'c'"),
              "1")
        << "node " << node;
  }
  ASSERT_NO_FATAL_FAILURE(HealCluster());
  EXPECT_EQ(SchemaFingerprint(2), SchemaFingerprint(0));
}

}  // namespace
}  // namespace dbroll::testing
