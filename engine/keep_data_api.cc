// The public keep-data calls: list archives (status) and purge them.
#include <ctime>

#include "dbroll/keep_data.h"
#include "engine/history.h"
#include "engine/keep_data.h"

namespace dbroll {
namespace {

// "YYYY-MM-DDTHH:MM:SSZ" for now minus `ago`, comparable with created_at.
std::string CutoffUtc(std::chrono::seconds ago) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - ago);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

long long Bytes(Driver& d, internal::KeepData& kd, const ArchiveInfo& a) {
  std::string sql;
  // PostgreSQL resolves the qualified, quoted name; the others match the bare one.
  const std::string lit =
      internal::QuoteLiteral(d.dialect(), d.dialect() == Dialect::kPostgres ? kd.ArchiveRef(a.kind, a.archive) : a.archive);
  switch (d.dialect()) {
    case Dialect::kSqlite: sql = "SELECT sum(pgsize) FROM dbstat WHERE name = " + lit; break;
    case Dialect::kPostgres: sql = "SELECT pg_total_relation_size(to_regclass(" + lit + "))"; break;
    case Dialect::kMysql:
      sql = "SELECT data_length + index_length FROM information_schema.tables WHERE table_schema = DATABASE() AND "
            "table_name = " + lit;
      break;
  }
  auto rows = d.Query(sql);
  if (!rows.ok() || rows->empty() || rows->front().empty() || !rows->front()[0]) return -1;
  return std::atoll(rows->front()[0]->c_str());
}

}  // namespace

Result<std::vector<ArchiveInfo>> ListArchives(Engine& engine) {
  internal::KeepData kd(&engine.driver(), engine.options().schema, engine.options().history_table);
  auto list = kd.List("");
  if (!list.ok()) return list.status();
  for (auto& a : list.value()) {
    if (!a.purged_at) a.bytes = Bytes(engine.driver(), kd, a);
  }
  return list;
}

Result<std::vector<ArchiveInfo>> PurgeArchives(Engine& engine, const PurgeOptions& o) {
  if (!o.before_release && !o.older_than) {
    return Status(Code::kInvalidArgument,
                  "purge needs --before-release TAG or --older-than DURATION (e.g. 30d) -- nothing was purged");
  }
  Driver& d = engine.driver();
  const EngineOptions& opts = engine.options();
  internal::KeepData kd(&d, opts.schema, opts.history_table);
  std::optional<std::string> upto;
  if (o.before_release) {
    auto v = engine.ReleaseVersion(*o.before_release);
    if (!v.ok()) return Status(v.status().code(), v.status().message() + "; nothing was purged");
    upto = v.value();
  }
  const std::optional<std::string> cutoff = o.older_than ? std::optional(CutoffUtc(*o.older_than)) : std::nullopt;
  bool locked = false;
  if (!o.dry_run) {
    DBROLL_RETURN_IF_ERROR(d.Lock(opts.lock_timeout));
    locked = true;
  }
  auto list = kd.List("");
  std::vector<ArchiveInfo> purged;
  Status result = list.status();
  if (list.ok()) {
    for (auto& a : list.value()) {
      if (a.purged_at) continue;
      if (upto && (upto->empty() || CompareVersions(a.version, *upto) > 0)) continue;
      if (cutoff && a.created_at > *cutoff) continue;
      if (!o.dry_run) {
        // Marked first: a purge cut short leaves a purged row whose table
        // the next purge drops, never a row that promises data it lost.
        Statement mark;
        mark.text = "UPDATE " + kd.catalog() + " SET purged_at = " + kd.NowSql() + " WHERE version = " +
                    internal::QuoteLiteral(d.dialect(), a.version) + " AND seq = " + std::to_string(a.seq);
        result = d.RunStatement(mark);
        if (!result.ok()) break;
      }
      purged.push_back(a);
    }
    if (result.ok() && !o.dry_run) {
      auto again = kd.List("");
      if (!again.ok()) result = again.status();
      for (const auto& a : again.ok() ? again.value() : std::vector<ArchiveInfo>{}) {
        if (!a.purged_at) continue;
        Statement drop;
        drop.text = "DROP TABLE IF EXISTS " + kd.ArchiveRef(a.kind, a.archive);
        result = d.RunStatement(drop);
        if (!result.ok()) break;
      }
    }
  }
  if (locked) (void)d.Unlock();
  if (!result.ok()) {
    return Status(result.code(), kd.catalog() + ": purge stopped: " + result.message() +
                                     " -- purge again; archives already marked purged are dropped then")
        .set_remedy(Remedy::kPurgeArchives);
  }
  return purged;
}

}  // namespace dbroll
