// The Galera decisions of the MySQL driver (drivers/mysql/galera.h), without a
// cluster: which node states are refused, which OSU method runs, who may take
// the lock row over. tests/mysql/galera_test.cc runs them against a real one.
#include "drivers/mysql/galera.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace dbroll::internal
