// Galera (MariaDB multi-primary) decisions of the MySQL driver, apart from
// the connector so they can be tested without a cluster.
#ifndef DBROLL_DRIVERS_MYSQL_GALERA_H_
#define DBROLL_DRIVERS_MYSQL_GALERA_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/driver.h"
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

// A binary string literal (X'...'): exact whatever the session's sql_mode or charset.
std::string HexLiteral(const std::string& value);

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

// The cluster-wide lock: one row of the lock table, written under wsrep
// certification through the session of the MySQL driver (`exec`, `query`: its
// own statement runners, so this file needs no connector).
class GaleraLockRow {
 public:
  using Exec = std::function<Status(const std::string&)>;
  using Query = std::function<Result<std::vector<Row>>(const std::string&)>;
  struct Identity {
    std::string where;          // the redacted URL, for messages
    std::string table;          // GaleraLockTable(history table)
    std::string name;           // the lock name, as for GET_LOCK
    std::string owner;          // "host pid 123, node n1 connection 45"
    std::string node_name;      // @@wsrep_node_name
    std::string node_uuid;      // wsrep_gcomm_uuid (new after a restart)
    std::string connection_id;  // CONNECTION_ID()
    std::chrono::milliseconds ttl = kGaleraLockTtl;
  };

  GaleraLockRow(Exec exec, Query query, Identity id)
      : exec_(std::move(exec)), query_(std::move(query)), id_(std::move(id)) {}

  // Creates the table if needed, then takes the row, polling until `timeout`;
  // kLockTimeout naming the holder when it is still held then.
  Status Acquire(std::chrono::milliseconds timeout);
  // Inside the caller's transaction: pushes the expiry forward, so that the
  // transaction certifies together with the lock row. kDatabaseError
  // (LostStatus) when another runner owns the row now.
  Status Fence();
  // Deletes the row if this runner still owns it.
  Status Release();
  // The heartbeat's UPDATE; 0 affected rows means the lock was lost.
  std::string RefreshSql() const;
  Status LostStatus() const;

 private:
  Status EnsureTable();
  Status TryOnce(std::string* holder);
  std::string Where() const;
  std::string Expiry() const;

  Exec exec_;
  Query query_;
  Identity id_;
};

}  // namespace dbroll::internal

#endif  // DBROLL_DRIVERS_MYSQL_GALERA_H_
