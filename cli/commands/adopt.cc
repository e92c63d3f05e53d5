#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.h"

namespace dbroll::cli {

void RegisterAdopt(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("adopt", "Take over another tool's history: record what it applied, run nothing");
  auto opts = std::make_shared<AdoptOptions>();
  cmd->add_option("--from", opts->from, "golang-migrate, dbmate, goose, flyway, sql-migrate, diesel or popx")
      ->required();
  cmd->add_option("--table", opts->table, "The tool's history table, when not its default");
  cmd->add_flag("--dry-run", opts->dry_run, "Show what would be recorded; change nothing");
  cmd->callback([&ctx, rc, opts] {
    if (Status f = ctx.RequireFormat({"text", "json"}, "adopt"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    ctx.read_only = opts->dry_run;
    *rc = WithEngine(ctx, [&](Engine& e, const Config&) -> Status {
      auto r = e.Adopt(*opts);
      if (!r.ok()) return r.status();
      if (ctx.globals.format == "json") {
        nlohmann::json doc;
        doc["tool"] = r->tool;
        doc["table"] = r->table;
        doc["dry_run"] = opts->dry_run;
        doc["versions"] = nlohmann::json::array();
        for (size_t i = 0; i < r->versions.size(); ++i) {
          doc["versions"].push_back({{"version", r->versions[i]}, {"name", r->names[i]}});
        }
        doc["repeatables"] = r->repeatables;
        std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return Status::Ok();
      }
      for (size_t i = 0; i < r->versions.size(); ++i) {
        std::cout << (opts->dry_run ? "would adopt  " : "adopted  ") << r->versions[i] << "_" << r->names[i] << "\n";
      }
      for (const auto& name : r->repeatables) {
        std::cout << (opts->dry_run ? "would adopt  " : "adopted  ") << "repeatable " << name << "\n";
      }
      if (!r->versions.empty()) {
        std::cout << (opts->dry_run ? "would record " : "recorded ") << r->versions.size() << " version"
                  << (r->versions.size() == 1 ? "" : "s") << " from " << r->tool << " (" << r->table
                  << ") as applied, running nothing; " << r->table << " is left as it was\n";
      }
      return Status::Ok();
    });
  });
}

}  // namespace dbroll::cli
