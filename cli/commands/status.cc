// Read-only commands: status, validate, history.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.h"
#include "cli/events.h"
#include "cli/exit_codes.h"
#include "dbroll/project.h"
#include "dbroll/keep_data.h"
#include "cli/usage.h"

namespace dbroll::cli {
namespace {

using nlohmann::json;

json Opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

// File names and messages are bytes, not always UTF-8: invalid sequences
// become U+FFFD instead of an exception.
std::string Dump(const json& doc) { return doc.dump(2, ' ', false, json::error_handler_t::replace); }

void PrintStatusText(const StatusReport& r, const std::string& db, const std::string& server, bool color) {
  std::cout << "database: " << db << "\n";
  if (!server.empty()) std::cout << "server: " << server << "\n";
  std::cout << "current version: " << (r.current_version.empty() ? "(none)" : r.current_version);
  if (!r.current_release.empty()) std::cout << "  release: " << r.current_release;
  std::cout << "\n\n";
  std::printf("%-16s %-28s %-22s %-24s %s\n", "VERSION", "NAME", "STATE", "APPLIED AT", "RELEASE");
  for (const auto& v : r.versions) {
    const char* c = "";
    switch (v.state) {
      case VersionState::kApplied: c = "\033[32m"; break;
      case VersionState::kPending: c = "\033[33m"; break;
      default: c = "\033[31m"; break;
    }
    std::string state = VersionStateName(v.state);
    if (v.state == VersionState::kFailed || v.state == VersionState::kRunning) {
      state += " @" + std::to_string(v.row->statements_done + 1);
    }
    std::printf("%-16s %-28s %s%-22s%s %-24s %s\n", v.version.c_str(), v.name.c_str(), color ? c : "",
                state.c_str(), color ? "\033[0m" : "", v.row ? v.row->applied_at.c_str() : "",
                v.row && v.row->release ? v.row->release->c_str() : "");
    if (v.row && v.row->error && v.state != VersionState::kApplied) {
      std::cout << "    " << *v.row->error << "\n";
    }
  }
}

// Keep-data archives: what a rollback of each version would restore.
void PrintArchivesText(const std::vector<ArchiveInfo>& archives) {
  if (archives.empty()) return;
  std::cout << "\nkeep-data archives (dbroll down restores them; dbroll purge removes them):\n";
  std::printf("%-16s %-32s %-34s %10s %12s %s\n", "VERSION", "DATA", "ARCHIVE", "ROWS", "SIZE", "CREATED");
  for (const auto& a : archives) {
    std::string what = a.table + (a.columns.empty() ? "" : "." + a.columns) + " (" + a.kind + ")";
    std::string size = a.purged_at ? "purged" : a.bytes < 0 ? "?" : std::to_string(a.bytes / 1024) + " KiB";
    std::printf("%-16s %-32s %-34s %10lld %12s %s\n", a.version.c_str(), what.c_str(), a.archive.c_str(), a.rows,
                size.c_str(), a.purged_at ? ("purged " + *a.purged_at).c_str() : a.created_at.c_str());
  }
}

}  // namespace

void RegisterStatus(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("status", "Show every version: applied, pending, failed, drifted");
  auto exit_code = std::make_shared<bool>(false);
  cmd->add_flag("--exit-code", *exit_code, "Exit 5 when migrations are pending, 0 when up to date (a deploy gate)");
  cmd->callback([&ctx, rc, exit_code] {
    if (Status f = ctx.RequireFormat({"text", "json"}, "status"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    ctx.read_only = true;
    Status gate;
    *rc = WithEngine(ctx, [&](Engine& e, const Config& cfg) -> Status {
      auto r = e.GetStatus();
      if (!r.ok()) return r.status();
      auto archives = ListArchives(e);
      if (!archives.ok()) return archives.status();
      const std::string db = RedactUrl(cfg.engine.url);
      if (ctx.globals.format == "json") {
        json doc;
        doc["format"] = kJsonFormat;
        doc["database"] = db;
        doc["server"] = e.driver().ServerVersion();
        doc["current_version"] = r->current_version.empty() ? json(nullptr) : json(r->current_version);
        doc["current_release"] = r->current_release.empty() ? json(nullptr) : json(r->current_release);
        json versions = json::array();
        for (const auto& v : r->versions) {
          json j;
          j["version"] = v.version;
          j["name"] = v.name;
          j["state"] = VersionStateName(v.state);
          j["file"] = v.up_path.empty() ? json(nullptr) : json(v.up_path);
          j["checksum"] = v.file_checksum.empty() ? json(nullptr) : json(v.file_checksum);
          if (v.row) {
            j["applied_at"] = v.row->applied_at;
            j["applied_by"] = v.row->applied_by;
            j["release"] = Opt(v.row->release);
            j["applied_checksum"] = v.row->up_checksum;
            j["duration_ms"] = v.row->duration_ms;
            j["statements_done"] = v.row->statements_done;
            j["error"] = Opt(v.row->error);
          } else {
            j["applied_at"] = nullptr;
            j["applied_by"] = nullptr;
            j["release"] = nullptr;
          }
          versions.push_back(j);
        }
        doc["versions"] = versions;
        json arch = json::array();
        for (const auto& a : archives.value()) {
          arch.push_back({{"version", a.version}, {"table", a.table}, {"kind", a.kind}, {"columns", a.columns},
                          {"archive", a.archive}, {"rows", a.rows}, {"bytes", a.bytes < 0 ? json(nullptr) : json(a.bytes)},
                          {"created_at", a.created_at}, {"purged_at", Opt(a.purged_at)}});
        }
        doc["archives"] = arch;
        std::cout << ctx.Redact(Dump(doc)) << "\n";
      } else {
        PrintStatusText(r.value(), db, e.driver().ServerVersion(), ctx.color());
        PrintArchivesText(archives.value());
      }
      // The deploy gate: an unfinished version always fails status; pending
      // ones only with --exit-code.
      gate = CheckUpToDate(r.value());
      return gate.code() == Code::kDirty ? gate : Status::Ok();
    });
    if (*rc == kExitOk && *exit_code && !gate.ok()) {
      ctx.Notice(gate);
      *rc = kExitPending;
    }
  });
}

void RegisterValidate(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("validate", "Check applied migrations against the files (checksums, missing, unpaired)");
  cmd->callback([&ctx, rc] {
    if (Status f = ctx.RequireFormat({"text", "json"}, "validate"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    ctx.read_only = true;
    *rc = WithEngine(ctx, [&](Engine& e, const Config&) -> Status {
      auto problems = e.Validate();
      if (!problems.ok()) return problems.status();
      if (ctx.globals.format == "json") {
        json arr = json::array();
        for (const auto& p : *problems) arr.push_back({{"version", p.version}, {"path", p.path}, {"message", p.message}});
        std::cout << ctx.Redact(Dump(json{{"format", kJsonFormat}, {"problems", arr}})) << "\n";
      } else {
        for (const auto& p : *problems) std::cout << p.message << "\n";
        if (problems->empty()) std::cout << "ok: every applied migration matches its files\n";
      }
      if (!problems->empty()) {
        return Status(Code::kCheckFailed, std::to_string(problems->size()) + " problem(s) found");
      }
      return Status::Ok();
    });
  });
}

void RegisterHistory(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("history", "Show the audit log: every migrate, down, baseline, repair");
  auto limit = std::make_shared<int>(50);
  cmd->add_option("--limit,-n", *limit, "How many entries (0: all)")
      ->check(CLI::Validator([](std::string& v) { return CheckWholeNumber(v, 0); }, "N>=0"));
  cmd->callback([&ctx, rc, limit] {
    if (Status f = ctx.RequireFormat({"text", "json"}, "history"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    ctx.read_only = true;
    *rc = WithEngine(ctx, [&](Engine& e, const Config&) -> Status {
      auto log = e.History(*limit);
      if (!log.ok()) return log.status();
      if (ctx.globals.format == "json") {
        json arr = json::array();
        for (const auto& l : *log) {
          json versions = json::array();
          for (size_t p = 0; p < l.versions.size();) {
            size_t comma = l.versions.find(',', p);
            if (comma == std::string::npos) comma = l.versions.size();
            if (comma > p) versions.push_back(l.versions.substr(p, comma - p));
            p = comma + 1;
          }
          arr.push_back({{"id", l.id}, {"at", l.at}, {"by", l.by}, {"action", l.action},
                         {"versions", versions}, {"release", Opt(l.release)},
                         {"schema_version", l.schema_version}, {"outcome", l.outcome}, {"message", l.message}});
        }
        std::cout << ctx.Redact(Dump(json{{"format", kJsonFormat}, {"log", arr}})) << "\n";
        return Status::Ok();
      }
      for (const auto& l : *log) {
        std::cout << l.at << "  " << l.by << "  " << l.action << "  [" << l.versions << "]"
                  << (l.release ? "  release " + *l.release : "") << "  -> " 
                  << (l.schema_version.empty() ? "(none)" : l.schema_version) << "  " << l.outcome;
        if (!l.message.empty()) std::cout << "\n    " << ctx.Redact(l.message);
        std::cout << "\n";
      }
      return Status::Ok();
    });
  });
}

}  // namespace dbroll::cli
