#include "drivers/mysql/galera.h"

#include <algorithm>
#include <cctype>

namespace dbroll::internal {

std::optional<std::string> GaleraNodeRefusal(const std::string& where, const GaleraNode& node) {
  if (node.cluster_status == "Primary" && node.local_state == "Synced") return std::nullopt;
  const std::string name = node.name.empty() ? "?" : node.name;
  std::string why;
  if (node.cluster_status != "Primary") {
    why = "is not in the primary component (wsrep_cluster_status = " + node.cluster_status +
          ", wsrep_local_state_comment = " + node.local_state +
          "): it lost quorum, so its writes would be refused or lost -- run dbroll against a node of the primary "
          "component, or restore quorum first";
  } else {
    why = "is not synced with the cluster (wsrep_cluster_status = Primary, wsrep_local_state_comment = " +
          node.local_state +
          "): it may lag behind or be donating a state transfer -- wait until it reports Synced, or run dbroll "
          "against a synced node";
  }
  return where + ": Galera node " + name + " " + why + "; nothing was changed";
}

Result<GaleraOsu> DecideGaleraOsu(const std::string& where, const std::string& configured, const GaleraNode& node) {
  std::string c = configured;
  for (char& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (c == "rsu") return GaleraOsu::kRsu;
  if (c == "toi") return GaleraOsu::kToi;
  if (!c.empty()) {
    return Status(Code::kInvalidArgument,
                  "[mysql] galera_osu = \"" + configured + "\" is not \"toi\" or \"rsu\" -- use \"toi\" (the default)");
  }
  std::string session = node.osu_method;
  for (char& ch : session) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (session == "RSU") {
    return Status(Code::kInvalidArgument,
                  where + ": Galera node " + (node.name.empty() ? "?" : node.name) +
                      " runs DDL with wsrep_OSU_method = RSU (only on this node, not cluster-wide) -- set [mysql] "
                      "galera_osu = \"rsu\" to migrate node by node on purpose, or SET GLOBAL wsrep_OSU_method = "
                      "'TOI'; nothing was changed");
  }
  return GaleraOsu::kToi;
}

std::string GaleraLockTable(const std::string& history_table) {
  const std::string suffix = "_history";
  if (history_table.size() > suffix.size() &&
      history_table.compare(history_table.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return history_table.substr(0, history_table.size() - suffix.size()) + "_lock";
  }
  return history_table + "_lock";
}

bool GaleraMayTakeOver(const GaleraHolder& holder) {
  if (holder.expired || !holder.node_member) return true;
  return holder.same_node && !holder.session_alive;
}

}  // namespace dbroll::internal
