// The Galera decisions of the MySQL driver (drivers/mysql/galera.h), without a
// cluster: which node states are refused, which OSU method runs, who may take
// the lock row over. tests/mysql/galera_test.cc runs them against a real one.
#include "drivers/mysql/galera.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace dbroll::internal {
namespace {

GaleraNode Node(const std::string& cluster_status, const std::string& local_state, const std::string& osu = "TOI") {
  return GaleraNode{"n1", cluster_status, local_state, osu};
}

TEST(GaleraNodeRefusalTest, SyncedPrimaryNodeIsAccepted) {
  EXPECT_EQ(GaleraNodeRefusal("mysql://root@h:3306/shop", Node("Primary", "Synced")), std::nullopt);
}

TEST(GaleraNodeRefusalTest, NonPrimaryNodeIsRefusedWithItsValues) {
  EXPECT_EQ(GaleraNodeRefusal("mysql://root@h:3306/shop", Node("non-Primary", "Initialized")).value_or(""),
            "mysql://root@h:3306/shop: Galera node n1 is not in the primary component (wsrep_cluster_status = "
            "non-Primary, wsrep_local_state_comment = Initialized): it lost quorum, so its writes would be refused "
            "or lost -- run dbroll against a node of the primary component, or restore quorum first; nothing was "
            "changed");
}

TEST(GaleraNodeRefusalTest, DisconnectedNodeIsRefused) {
  EXPECT_NE(GaleraNodeRefusal("u", Node("Disconnected", "Synced")), std::nullopt);
}

TEST(GaleraNodeRefusalTest, DesyncedNodeIsRefusedWithItsState) {
  EXPECT_EQ(GaleraNodeRefusal("u", Node("Primary", "Donor/Desynced")).value_or(""),
            "u: Galera node n1 is not synced with the cluster (wsrep_cluster_status = Primary, "
            "wsrep_local_state_comment = Donor/Desynced): it may lag behind or be donating a state transfer -- wait "
            "until it reports Synced, or run dbroll against a synced node; nothing was changed");
}

TEST(GaleraNodeRefusalTest, JoiningNodeIsRefused) {
  EXPECT_NE(GaleraNodeRefusal("u", Node("Primary", "Joining: receiving State Transfer")), std::nullopt);
  EXPECT_NE(GaleraNodeRefusal("u", Node("Primary", "Joined")), std::nullopt);
}

TEST(DecideGaleraOsuTest, DefaultIsToi) {
  auto osu = DecideGaleraOsu("u", "", Node("Primary", "Synced"));
  ASSERT_TRUE(osu.ok()) << osu.status().ToString();
  EXPECT_EQ(*osu, GaleraOsu::kToi);
}

TEST(DecideGaleraOsuTest, RsuOnlyWhenConfigured) {
  auto osu = DecideGaleraOsu("u", "RSU", Node("Primary", "Synced"));
  ASSERT_TRUE(osu.ok());
  EXPECT_EQ(*osu, GaleraOsu::kRsu);
  auto toi = DecideGaleraOsu("u", "toi", Node("Primary", "Synced", "RSU"));
  ASSERT_TRUE(toi.ok());
  EXPECT_EQ(*toi, GaleraOsu::kToi);  // asked for explicitly: the session is set back to TOI
}

TEST(DecideGaleraOsuTest, SessionInRsuIsRefusedUnlessConfigured) {
  auto osu = DecideGaleraOsu("u", "", Node("Primary", "Synced", "RSU"));
  ASSERT_FALSE(osu.ok());
  EXPECT_EQ(osu.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(osu.status().message(),
            "u: Galera node n1 runs DDL with wsrep_OSU_method = RSU (only on this node, not cluster-wide) -- set "
            "[mysql] galera_osu = \"rsu\" to migrate node by node on purpose, or SET GLOBAL wsrep_OSU_method = "
            "'TOI'; nothing was changed");
}

TEST(DecideGaleraOsuTest, UnknownValueIsRefused) {
  auto osu = DecideGaleraOsu("u", "nbo", Node("Primary", "Synced"));
  ASSERT_FALSE(osu.ok());
  EXPECT_EQ(osu.status().message(),
            "[mysql] galera_osu = \"nbo\" is not \"toi\" or \"rsu\" -- use \"toi\" (the default)");
}

TEST(GaleraLockTableTest, SitsBesideTheHistoryTable) {
  EXPECT_EQ(GaleraLockTable("dbroll_history"), "dbroll_lock");
  EXPECT_EQ(GaleraLockTable("app_history"), "app_lock");
  EXPECT_EQ(GaleraLockTable("migrations"), "migrations_lock");
  EXPECT_EQ(GaleraLockTable("_history"), "_history_lock");
}

TEST(GaleraMayTakeOverTest, LiveHolderKeepsTheLock) {
  GaleraHolder h;
  EXPECT_FALSE(GaleraMayTakeOver(h));
  h.same_node = true;  // its session is in this node's processlist
  EXPECT_FALSE(GaleraMayTakeOver(h));
}

TEST(GaleraMayTakeOverTest, ExpiredHolderIsTakenOver) {
  GaleraHolder h;
  h.expired = true;
  EXPECT_TRUE(GaleraMayTakeOver(h));
}

TEST(GaleraMayTakeOverTest, HolderOnANodeThatLeftIsTakenOver) {
  GaleraHolder h;
  h.node_member = false;
  EXPECT_TRUE(GaleraMayTakeOver(h));
}

TEST(GaleraMayTakeOverTest, DeadSessionOnThisNodeIsTakenOver) {
  GaleraHolder h;
  h.same_node = true;
  h.session_alive = false;
  EXPECT_TRUE(GaleraMayTakeOver(h));
  h.same_node = false;  // on another node a dead-looking id proves nothing
  EXPECT_FALSE(GaleraMayTakeOver(h));
}

// A session that records every statement and answers queries by their first words.
struct FakeSession {
  std::vector<std::string> log;
  std::map<std::string, std::vector<Row>> answers;  // SQL prefix -> rows
  std::map<std::string, Status> failures;           // SQL prefix -> error

  GaleraLockRow Lock(std::chrono::milliseconds ttl = kGaleraLockTtl) {
    GaleraLockRow::Identity id{"mysql://h/shop",
                               "dbroll_lock",
                               "dbroll:shop.dbroll_history",
                               "vm pid 7, node n1 connection 42",
                               "n1",
                               "uuid-1",
                               "42",
                               ttl};
    return GaleraLockRow([this](const std::string& sql) { return Exec(sql); },
                         [this](const std::string& sql) { return Query(sql); }, id);
  }
  Status Exec(const std::string& sql) {
    log.push_back(sql);
    for (const auto& [prefix, st] : failures) {
      if (sql.rfind(prefix, 0) == 0) return st;
    }
    return Status::Ok();
  }
  Result<std::vector<Row>> Query(const std::string& sql) {
    log.push_back(sql);
    for (const auto& [prefix, rows] : answers) {
      if (sql.rfind(prefix, 0) == 0) return rows;
    }
    return std::vector<Row>{};
  }
  // The first word of each statement, e.g. "START COUNT INSERT COMMIT".
  std::string Verbs() const {
    std::string out;
    for (const auto& sql : log) {
      std::string w = sql.substr(0, sql.find(' '));
      if (w == "SELECT") w = sql.find("FOR UPDATE") != std::string::npos ? "READ" : "SELECT";
      out += (out.empty() ? "" : " ") + w;
    }
    return out;
  }
};

Row HolderRow(const std::string& node_uuid, const std::string& expired) {
  return Row{"other pid 9, node n0 connection 5", "n0", node_uuid, "5", expired, "1", "29"};
}

TEST(GaleraLockRowTest, CreatesTheTableAndInsertsTheRow) {
  FakeSession f;
  f.answers["SELECT COUNT(*) FROM information_schema.TABLES"] = {Row{"0"}};
  Status s = f.Lock().Acquire(std::chrono::milliseconds(0));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(f.Verbs(), "SELECT CREATE START READ INSERT COMMIT");
  EXPECT_NE(f.log[4].find("VALUES (X'"), std::string::npos) << f.log[4];
  EXPECT_NE(f.log[4].find("UTC_TIMESTAMP(6) + INTERVAL 30000000 MICROSECOND"), std::string::npos) << f.log[4];
}

TEST(GaleraLockRowTest, LiveHolderOnAnotherNodeKeepsItAndIsNamed) {
  FakeSession f;
  f.answers["SELECT COUNT(*) FROM information_schema.TABLES"] = {Row{"1"}};
  f.answers["SELECT owner"] = {HolderRow("uuid-0", "0")};
  f.answers["SELECT COUNT(*) FROM mysql.wsrep_cluster_members"] = {Row{"1"}};
  Status s = f.Lock().Acquire(std::chrono::milliseconds(0));
  EXPECT_EQ(s.code(), Code::kLockTimeout);
  EXPECT_EQ(s.message(),
            "mysql://h/shop: the cluster-wide lock 'dbroll:shop.dbroll_history' (table dbroll_lock) is held by other "
            "pid 9, node n0 connection 5 (heartbeat 1 s ago, expires in 29 s) -- another dbroll is running");
  EXPECT_EQ(f.Verbs(), "SELECT START READ SELECT ROLLBACK");
}

TEST(GaleraLockRowTest, HolderWhoseNodeLeftIsTakenOver) {
  FakeSession f;
  f.answers["SELECT COUNT(*) FROM information_schema.TABLES"] = {Row{"1"}};
  f.answers["SELECT owner"] = {HolderRow("uuid-0", "0")};
  f.answers["SELECT COUNT(*) FROM mysql.wsrep_cluster_members"] = {Row{"0"}};
  Status s = f.Lock().Acquire(std::chrono::milliseconds(0));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(f.Verbs(), "SELECT START READ SELECT UPDATE COMMIT");
}

TEST(GaleraLockRowTest, DeadSessionOnThisNodeIsTakenOver) {
  FakeSession f;
  f.answers["SELECT COUNT(*) FROM information_schema.TABLES"] = {Row{"1"}};
  f.answers["SELECT owner"] = {HolderRow("uuid-1", "0")};
  f.answers["SELECT COUNT(*) FROM mysql.wsrep_cluster_members"] = {Row{"1"}};
  f.answers["SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = 5"] = {Row{"0"}};
  Status s = f.Lock().Acquire(std::chrono::milliseconds(0));
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(f.Verbs(), "SELECT START READ SELECT SELECT UPDATE COMMIT");
}

TEST(GaleraLockRowTest, ExpiredHolderIsTakenOverWithoutFurtherChecks) {
  FakeSession f;
  f.answers["SELECT COUNT(*) FROM information_schema.TABLES"] = {Row{"1"}};
  f.answers["SELECT owner"] = {HolderRow("uuid-0", "1")};
  ASSERT_TRUE(f.Lock().Acquire(std::chrono::milliseconds(0)).ok());
  EXPECT_EQ(f.Verbs(), "SELECT START READ UPDATE COMMIT");
}

TEST(GaleraLockRowTest, LosingTheRaceIsContentionNotAnError) {
  FakeSession f;
  f.answers["SELECT COUNT(*) FROM information_schema.TABLES"] = {Row{"1"}};
  Status dup(Code::kDatabaseError, "ERROR 1062 (23000): Duplicate entry");
  dup.set_sqlstate("23000");
  f.failures["INSERT"] = dup;
  Status s = f.Lock().Acquire(std::chrono::milliseconds(0));
  EXPECT_EQ(s.code(), Code::kLockTimeout) << s.ToString();
  EXPECT_EQ(f.Verbs(), "SELECT START READ INSERT ROLLBACK");

  FakeSession g;  // a certification failure at COMMIT comes as kLockTimeout (1213) from the driver
  g.answers["SELECT COUNT(*) FROM information_schema.TABLES"] = {Row{"1"}};
  g.failures["COMMIT"] = Status(Code::kLockTimeout, "ERROR 1213 (40001): Deadlock found");
  EXPECT_EQ(g.Lock().Acquire(std::chrono::milliseconds(0)).code(), Code::kLockTimeout);
}

TEST(GaleraLockRowTest, OtherErrorsStopAtOnce) {
  FakeSession f;
  f.answers["SELECT COUNT(*) FROM information_schema.TABLES"] = {Row{"1"}};
  f.failures["INSERT"] = Status(Code::kConnectionLost, "gone");
  EXPECT_EQ(f.Lock().Acquire(std::chrono::milliseconds(5000)).code(), Code::kConnectionLost);
}

TEST(GaleraLockRowTest, FenceReportsALostLock) {
  FakeSession f;
  f.answers["SELECT ROW_COUNT()"] = {Row{"1"}};
  EXPECT_TRUE(f.Lock().Fence().ok());
  EXPECT_EQ(f.log[0],
            "UPDATE `dbroll_lock` SET heartbeat = UTC_TIMESTAMP(6), expires_at = UTC_TIMESTAMP(6) + INTERVAL "
            "30000000 MICROSECOND WHERE name = X'6462726F6C6C3A73686F702E6462726F6C6C5F686973746F7279' AND owner = "
            "X'766D2070696420372C206E6F6465206E3120636F6E6E656374696F6E203432'");
  f.answers["SELECT ROW_COUNT()"] = {Row{"0"}};
  Status s = f.Lock(std::chrono::milliseconds(3000)).Fence();
  EXPECT_EQ(s.code(), Code::kDatabaseError);
  EXPECT_EQ(s.message(),
            "mysql://h/shop: this runner lost the cluster-wide lock 'dbroll:shop.dbroll_history' (table dbroll_lock): "
            "its heartbeat did not reach the cluster for 3 s and another runner took it over -- the current "
            "transaction was rolled back; look at the status, then migrate again");
  EXPECT_EQ(s.remedy(), Remedy::kRunMigrate);
}

TEST(GaleraLockRowTest, ReleaseDeletesOnlyItsOwnRow) {
  FakeSession f;
  EXPECT_TRUE(f.Lock().Release().ok());
  ASSERT_EQ(f.log.size(), 1u);
  EXPECT_EQ(f.log[0].rfind("DELETE FROM `dbroll_lock` WHERE name = X'", 0), 0u) << f.log[0];
  EXPECT_NE(f.log[0].find(" AND owner = X'"), std::string::npos) << f.log[0];
}

}  // namespace
}  // namespace dbroll::internal
