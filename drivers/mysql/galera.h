// Galera (MariaDB multi-primary) decisions of the MySQL driver, apart from
// the connector so they can be tested without a cluster.
#ifndef DBROLL_DRIVERS_MYSQL_GALERA_H_
#define DBROLL_DRIVERS_MYSQL_GALERA_H_

#include <chrono>
#include <optional>
#include <string>

#include "dbroll/status.h"

namespace dbroll::internal {

// What `SHOW STATUS LIKE 'wsrep_%'` and the session say about the node.
struct GaleraNode {
  std::string name;            // @@wsrep_node_name
  std::string cluster_status;  // wsrep_cluster_status: Primary, non-Primary, Disconnected
  std::string local_state;     // wsrep_local_state_comment: Synced, Donor/Desynced, Joining, ...
  std::string osu_method;      // @@session.wsrep_OSU_method: TOI or RSU
};

// Why dbroll must not write through `node`, or nullopt when it may: the node
// must be in the primary component and synced, or its writes would be
// refused, lost at the next state transfer, or run on stale data.
std::optional<std::string> GaleraNodeRefusal(const std::string& where, const GaleraNode& node);

// The `[mysql] galera_osu` setting: "toi" (default: DDL runs on every node at
// once, in total order) or "rsu" (DDL runs only on this node, desynced).
enum class GaleraOsu { kToi, kRsu };

// Parses `galera_osu` (empty = not configured) and decides against the
// session's current method: a session already in RSU is refused unless the
// user asked for rsu, since its DDL would silently run on one node only.
// Returns the method to SET for the session.
Result<GaleraOsu> DecideGaleraOsu(const std::string& where, const std::string& configured, const GaleraNode& node);

// The cluster-wide lock table beside the history table: "dbroll_lock" for
// "dbroll_history" (so schema fingerprints skip it with dbroll's own tables),
// "<table>_lock" otherwise.
std::string GaleraLockTable(const std::string& history_table);

// Default lifetime of a lock row without heartbeat: a dead runner's lock is
// taken over after this. `[mysql] galera_lock_ttl` changes it.
inline constexpr std::chrono::milliseconds kGaleraLockTtl{30000};

// A holder of the lock row as a contender sees it.
struct GaleraHolder {
  std::string owner;          // "host pid 123, node n1 connection 45"
  std::string node;           // the holder's @@wsrep_node_name
  std::string connection;     // the holder's CONNECTION_ID() on that node
  bool expired = false;       // expires_at is in the past (no heartbeat for the TTL)
  bool node_member = true;    // `node` is still in mysql.wsrep_cluster_members
  bool session_alive = true;  // same node only: the connection is in the PROCESSLIST
  bool same_node = false;     // the holder is on the node this runner is connected to
};

// Whether a contender may take the lock row from `holder` now: it expired,
// its node left the cluster (and took its sessions along), or it is on this
// node and its session is gone (the runner was killed).
bool GaleraMayTakeOver(const GaleraHolder& holder);

}  // namespace dbroll::internal

#endif  // DBROLL_DRIVERS_MYSQL_GALERA_H_
