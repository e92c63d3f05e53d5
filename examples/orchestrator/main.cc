// An orchestrator with its own AppController: it "deploys" by recording the
// running release in a file, and checks health in-process. It runs one
// healthy deploy and one that never becomes healthy, which dbroll rolls back
// (schema first, then the app) and freezes.
//
//   orchestrator WORKDIR      (creates WORKDIR/migrations and WORKDIR/app.db)
#include <dbroll/coordinator.h>
#include <dbroll/engine.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace fs = std::filesystem;

namespace {

// The release this "app" runs lives in a file; a real orchestrator would
// call its platform's API (Kubernetes, Nomad, a load balancer) here.
class FileApp : public dbroll::AppController {
 public:
  explicit FileApp(fs::path file) : file_(std::move(file)) {}
  dbroll::Status Deploy(const dbroll::DeployContext& ctx) override { return Run(ctx); }
  dbroll::Status Revert(const dbroll::DeployContext& ctx) override { return Run(ctx); }
  std::string running() const {
    std::ifstream in(file_);
    std::string r;
    std::getline(in, r);
    return r;
  }

 private:
  dbroll::Status Run(const dbroll::DeployContext& ctx) {
    std::cout << "  app: " << ctx.action << " -> " << ctx.target_release << " (schema " << ctx.schema_version
              << ")\n";
    std::ofstream(file_) << ctx.target_release << "\n";
    return dbroll::Status::Ok();
  }
  fs::path file_;
};

// Release "v2" is broken in this story: it never turns healthy.
class ReleaseGate : public dbroll::HealthGate {
 public:
  explicit ReleaseGate(const FileApp* app) : app_(app) {}
  dbroll::Status Check(const dbroll::DeployContext&) override {
    if (app_->running() == "v2") return dbroll::Status(dbroll::Code::kCheckFailed, "v2 answers 503 on /healthz");
    return dbroll::Status::Ok();
  }

 private:
  const FileApp* app_;
};

class PrintNotifier : public dbroll::Notifier {
 public:
  dbroll::Status Notify(const dbroll::DeployEvent& e) override {
    std::cout << "  notify: " << dbroll::DeployEventText(e) << "\n";
    return dbroll::Status::Ok();
  }
};

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text << "\n";
}

int Fail(const std::string& what, const dbroll::Status& s) {
  std::cerr << "orchestrator: " << what << ": " << s.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: orchestrator WORKDIR\n";
    return 2;
  }
  const fs::path dir = argv[1];
  fs::create_directories(dir);
  Write(dir / "migrations/0001_users/up.sql", "CREATE TABLE users (id integer primary key);");
  Write(dir / "migrations/0001_users/down.sql", "DROP TABLE users;");

  dbroll::EngineOptions options;
  options.url = "sqlite:" + (dir / "app.db").string();
  options.base_dir = dir.string();
  auto engine = dbroll::Engine::Open(options);
  if (!engine.ok()) return Fail("open", engine.status());

  FileApp app(dir / "running-release");
  ReleaseGate gate(&app);
  PrintNotifier notifier;
  dbroll::CoordinatorParts parts;
  parts.app = &app;
  parts.gates = {&gate};
  parts.notifiers = {&notifier};
  dbroll::Coordinator coordinator(engine->get(), parts, dbroll::CoordinatorOptions{});

  std::cout << "deploy v1\n";
  dbroll::Status s = coordinator.Deploy("v1");
  if (!s.ok()) return Fail("deploy v1", s);

  Write(dir / "migrations/0002_orders/up.sql", "CREATE TABLE orders (id integer primary key);");
  Write(dir / "migrations/0002_orders/down.sql", "DROP TABLE orders;");
  std::cout << "deploy v2\n";
  s = coordinator.Deploy("v2");
  if (s.code() != dbroll::Code::kRolledBack) return Fail("deploy v2 should have been rolled back", s);

  auto status = (*engine)->GetStatus();
  if (!status.ok()) return Fail("status", status.status());
  std::cout << "after rollback: app runs " << app.running() << ", schema at " << status->current_version << "\n";
  if (app.running() != "v1" || status->current_version != "0001") {
    std::cerr << "orchestrator: expected v1 on schema 0001\n";
    return 1;
  }
  s = coordinator.Deploy("v3");
  if (s.code() != dbroll::Code::kFrozen) return Fail("deploy v3 should be refused while frozen", s);
  std::cout << "deploy v3 refused: " << s.message() << "\n";
  return 0;
}
