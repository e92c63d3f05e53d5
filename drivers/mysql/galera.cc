#include "drivers/mysql/galera.h"

#include <algorithm>
#include <cctype>
#include <thread>

namespace dbroll::internal {
namespace {

std::string Ident(const std::string& name) {
  std::string out = "`";
  for (char c : name) out += c == '`' ? std::string("``") : std::string(1, c);
  return out + "`";
}

bool Digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string First(const Result<std::vector<Row>>& rows, const std::string& fallback) {
  if (!rows.ok() || rows->empty() || rows->front().empty()) return fallback;
  return rows->front()[0].value_or(fallback);
}

}  // namespace

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

std::string HexLiteral(const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "X'";
  for (unsigned char c : value) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out + "'";
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

std::string GaleraLockRow::Where() const { return " WHERE name = " + HexLiteral(id_.name); }

std::string GaleraLockRow::Expiry() const {
  return "UTC_TIMESTAMP(6) + INTERVAL " + std::to_string(id_.ttl.count() * 1000) + " MICROSECOND";
}

std::string GaleraLockRow::RefreshSql() const {
  return "UPDATE " + Ident(id_.table) + " SET heartbeat = UTC_TIMESTAMP(6), expires_at = " + Expiry() + Where() +
         " AND owner = " + HexLiteral(id_.owner);
}

Status GaleraLockRow::LostStatus() const {
  return Status(Code::kDatabaseError,
                id_.where + ": this runner lost the cluster-wide lock '" + id_.name + "' (table " + id_.table +
                    "): its heartbeat did not reach the cluster for " + std::to_string(id_.ttl.count() / 1000) +
                    " s and another runner took it over -- the current transaction was rolled back; look at the "
                    "status, then migrate again")
      .set_remedy(Remedy::kRunMigrate);
}

Status GaleraLockRow::EnsureTable() {
  auto n = query_("SELECT COUNT(*) FROM information_schema.TABLES WHERE table_schema = DATABASE() AND table_name = " +
                  HexLiteral(id_.table));
  if (!n.ok()) return n.status();
  if (First(n, "0") != "0") return Status::Ok();
  // A DDL under TOI: concurrent runners on other nodes create it in total
  // order, and IF NOT EXISTS makes the later ones no-ops.
  return exec_("CREATE TABLE IF NOT EXISTS " + Ident(id_.table) +
               " (name VARBINARY(255) NOT NULL PRIMARY KEY, owner VARCHAR(255) NOT NULL,"
               " node VARCHAR(64) NOT NULL, node_uuid VARCHAR(64) NOT NULL, conn BIGINT UNSIGNED NOT NULL,"
               " heartbeat DATETIME(6) NOT NULL, expires_at DATETIME(6) NOT NULL)"
               " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
}

// One attempt: Ok when this runner holds the row; kLockTimeout (with
// `holder` describing the other runner) when someone else does or won the
// race (a certification failure or deadlock: kLockTimeout from the driver; a
// duplicate key: SQLSTATE 23000).
Status GaleraLockRow::TryOnce(std::string* holder) {
  auto give_up = [&](const Status& s) {
    (void)exec_("ROLLBACK");
    if (s.sqlstate() == "23000") return Status(Code::kLockTimeout, s.message());  // another runner inserted first
    return s;
  };
  DBROLL_RETURN_IF_ERROR(exec_("START TRANSACTION"));
  auto rows = query_(
      "SELECT owner, node, node_uuid, conn, expires_at < UTC_TIMESTAMP(6),"
      " TIMESTAMPDIFF(SECOND, heartbeat, UTC_TIMESTAMP(6)), TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at)"
      " FROM " +
      Ident(id_.table) + Where() + " FOR UPDATE");
  if (!rows.ok()) return give_up(rows.status());
  std::string sql;
  if (rows->empty()) {
    sql = "INSERT INTO " + Ident(id_.table) + " (name, owner, node, node_uuid, conn, heartbeat, expires_at) VALUES (" +
          HexLiteral(id_.name) + ", " + HexLiteral(id_.owner) + ", " + HexLiteral(id_.node_name) + ", " +
          HexLiteral(id_.node_uuid) + ", " + id_.connection_id + ", UTC_TIMESTAMP(6), " + Expiry() + ")";
  } else {
    const Row& r = rows->front();
    GaleraHolder h;
    h.owner = r[0].value_or("?");
    h.node = r[1].value_or("");
    h.connection = r[3].value_or("");
    h.expired = r[4].value_or("1") == "1";
    h.same_node = r[2].value_or("") == id_.node_uuid;
    if (h.owner != id_.owner && !h.expired) {
      auto member =
          query_("SELECT COUNT(*) FROM mysql.wsrep_cluster_members WHERE node_uuid = " + HexLiteral(r[2].value_or("")));
      if (!member.ok()) return give_up(member.status());
      h.node_member = First(member, "0") != "0";
      if (h.same_node && Digits(h.connection)) {
        auto alive = query_("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = " + h.connection);
        if (!alive.ok()) return give_up(alive.status());
        h.session_alive = First(alive, "0") != "0";
      }
      if (!GaleraMayTakeOver(h)) {
        *holder = h.owner + " (heartbeat " + r[5].value_or("?") + " s ago, expires in " + r[6].value_or("?") + " s)";
        return give_up(Status(Code::kLockTimeout, "held by " + *holder));
      }
    }
    sql = "UPDATE " + Ident(id_.table) + " SET owner = " + HexLiteral(id_.owner) +
          ", node = " + HexLiteral(id_.node_name) + ", node_uuid = " + HexLiteral(id_.node_uuid) +
          ", conn = " + id_.connection_id + ", heartbeat = UTC_TIMESTAMP(6), expires_at = " + Expiry() + Where();
  }
  if (Status s = exec_(sql); !s.ok()) return give_up(s);
  if (Status s = exec_("COMMIT"); !s.ok()) return give_up(s);
  return Status::Ok();
}

Status GaleraLockRow::Acquire(std::chrono::milliseconds timeout) {
  if (!Digits(id_.connection_id)) {
    return Status(Code::kInternal, id_.where + ": connection id '" + id_.connection_id + "' is not a number");
  }
  DBROLL_RETURN_IF_ERROR(EnsureTable());
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string holder;
  for (;;) {
    Status s = TryOnce(&holder);
    if (s.code() != Code::kLockTimeout) return s;
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      return Status(Code::kLockTimeout, id_.where + ": the cluster-wide lock '" + id_.name + "' (table " + id_.table +
                                            ") is held by " + (holder.empty() ? "another runner" : holder) +
                                            " -- another dbroll is running");
    }
    // The row has no wait queue: poll it, faster than the heartbeats.
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(std::chrono::milliseconds(200), deadline - now));
  }
}

Status GaleraLockRow::Fence() {
  DBROLL_RETURN_IF_ERROR(exec_(RefreshSql()));
  auto n = query_("SELECT ROW_COUNT()");
  if (!n.ok()) return n.status();
  return First(n, "0") == "0" ? LostStatus() : Status::Ok();
}

Status GaleraLockRow::Release() {
  return exec_("DELETE FROM " + Ident(id_.table) + Where() + " AND owner = " + HexLiteral(id_.owner));
}

}  // namespace dbroll::internal
