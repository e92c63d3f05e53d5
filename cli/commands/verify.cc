// Schema commands: schema dump, verify, drift.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.h"
#include "cli/commands/schema_support.h"
#include "dbroll/lint.h"
#include "cli/exit_codes.h"
#include "dbroll/project.h"
#include "dbroll/schema.h"
#include "dbroll/verify.h"

namespace dbroll::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* ChangeKindName(SchemaChange::Kind k) {
  switch (k) {
    case SchemaChange::Kind::kAdded: return "only-live";
    case SchemaChange::Kind::kRemoved: return "missing-live";
    case SchemaChange::Kind::kChanged: return "changed";
  }
  return "?";
}

}  // namespace

Status RunDrift(Context& ctx, Engine& live, const std::string& scratch_url) {
  DriftOptions o;
  o.scratch_url = scratch_url;
  auto r = CheckDrift(live, o);
  if (!r.ok()) return r.status();
  for (const auto& n : r->notes) ctx.Notice("drift: " + n);
  if (ctx.globals.format == "json") {
    json changes = json::array();
    for (size_t i = 0; i < r->changes.size(); ++i) {
      const SchemaChange& c = r->changes[i];
      const SchemaObject& o2 = c.kind == SchemaChange::Kind::kAdded ? c.after : c.before;
      changes.push_back({{"change", ChangeKindName(c.kind)},
                         {"kind", o2.kind},
                         {"name", o2.name},
                         {"migrations", c.before.definition},
                         {"live", c.after.definition},
                         {"message", r->messages[i]}});
    }
    std::cout << json{{"format", 1}, {"applied_version", r->applied_version}, {"drift", changes}, {"notes", r->notes}}
                     .dump(2, ' ', false, json::error_handler_t::replace)
              << "\n";
  } else {
    for (const auto& m : r->messages) std::cout << "drift: " << m << "\n";
    if (r->ok()) {
      std::cout << "no drift: the live schema is what the applied migrations build (up to "
                << (r->applied_version.empty() ? "no version" : r->applied_version) << ")\n";
    }
  }
  if (!r->ok()) {
    return Status(Code::kCheckFailed, std::to_string(r->changes.size()) +
                                          " difference(s) between the live schema and the applied migrations -- "
                                          "write a migration for a hand-made change, or undo it by hand");
  }
  return Status::Ok();
}

void RegisterSchema(CLI::App& app, Context& ctx, int* rc) {
  auto* schema = app.add_subcommand("schema", "Schema snapshots");
  schema->require_subcommand(1);
  auto* dump = schema->add_subcommand("dump", "Print the live schema as stable text (or --format json)");
  auto output = std::make_shared<std::string>();
  dump->add_option("--output,-o", *output, "Write to this file instead of stdout");
  dump->callback([&ctx, rc, output] {
    if (Status f = ctx.RequireFormat({"text", "json"}, "schema dump"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    ctx.read_only = true;
    *rc = WithEngine(ctx, [&](Engine& e, const Config& cfg) -> Status {
      auto snap = TakeSnapshot(e.driver(), SnapshotOptionsFor(cfg.engine));
      if (!snap.ok()) return snap.status();
      const std::string text =
          ctx.globals.format == "json" ? SnapshotJson(snap.value()) : SnapshotText(snap.value());
      if (output->empty()) {
        std::cout << text;
        return Status::Ok();
      }
      return ReplaceFile(*output, text);
    });
  });
}

void RegisterVerify(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand(
      "verify", "Replay every migration on a scratch database: up, down, up; report any down that does not undo its up");
  auto scratch = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  cmd->add_option("--scratch-url", *scratch, "Scratch database to use (default: a temporary one, dropped after)");
  cmd->add_option("--from", *from, "Start at this version (the scratch database is first migrated to the one before)");
  auto fail_fast = std::make_shared<bool>(false);
  cmd->add_flag("--fail-fast", *fail_fast, "Stop after the first failed version (default: verify every version)");
  auto data = std::make_shared<bool>(false);
  cmd->add_flag("--data", *data,
                "Also seed the tables each version touches and report rows and values its down loses");
  cmd->callback([&ctx, rc, scratch, from, fail_fast, data] {
    auto cfg = ctx.LoadConfig();
    if (!cfg.ok()) {
      *rc = ctx.Fail(cfg.status());
      return;
    }
    const std::string format = ctx.globals.format;
    if (format != "text" && format != "json" && format != "sarif" && format != "github" && format != "junit") {
      *rc = ctx.Fail(Status(Code::kInvalidArgument, "--format " + format +
                                                        ": verify writes text, json, sarif, github or junit"));
      return;
    }
    VerifyOptions o;
    o.scratch_url = *scratch;
    if (!from->empty()) o.from = *from;
    o.fail_fast = *fail_fast;
    o.data = *data;
    if (format == "text") {
      o.on_version = [&ctx](const VerifiedVersion& v) { std::cout << VerifyVersionText(v, ctx.color()) << std::flush; };
    }
    auto report = Verify(cfg->engine, o);
    if (!report.ok()) {
      *rc = ctx.Fail(report.status());
      return;
    }
    int failed = 0, not_verified = 0;
    for (const auto& v : report->versions) {
      failed += v.findings.empty() ? 0 : 1;
      not_verified += v.state == "not-verified" ? 1 : 0;
    }
    if (format == "text") {
      // Findings of the whole-history pass come after the per-version lines.
      for (const auto& v : report->versions) {
        for (const auto& f : v.findings) {
          if (f.rule == "verify-history-down-fails") std::cout << "failed        " << f.message << "\n";
        }
      }
      std::cout << "verify: " << report->versions.size() << " version(s), " << failed << " failed, "
                << not_verified << " not verified (" << ctx.Redact(report->scratch) << ")\n";
    } else {
      auto text = RenderVerifyReport(report.value(), format);
      if (!text.ok()) {
        *rc = ctx.Fail(text.status());
        return;
      }
      std::cout << ctx.Redact(text.value());
    }
    *rc = failed == 0 ? kExitOk : kExitCheckFailed;
  });
}

void RegisterDrift(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand(
      "drift", "Compare the live schema with what replaying its applied migrations builds on a scratch database");
  auto scratch = std::make_shared<std::string>();
  cmd->add_option("--scratch-url", *scratch, "Scratch database to use (default: a temporary one, dropped after)");
  cmd->callback([&ctx, rc, scratch] {
    if (Status f = ctx.RequireFormat({"text", "json"}, "drift"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    ctx.read_only = true;
    *rc = WithEngine(ctx, [&](Engine& e, const Config&) { return RunDrift(ctx, e, *scratch); });
  });
}

}  // namespace dbroll::cli
