// What the Prometheus alert tests run on loopback: a python3 app whose error
// ratio a test switches, and Prometheus scraping it every second.
#ifndef DBROLL_TESTS_ALERTS_ERROR_APP_H_
#define DBROLL_TESTS_ALERTS_ERROR_APP_H_

#include <fstream>
#include <string>

#include "tests/support/servers.h"

namespace dbroll::testing_servers {

// GET / answers 500 while <root>/fail holds "1"; a thread asks itself 20
// times a second so the 5xx ratio moves; /metrics is Prometheus text.
constexpr char kErrorApp[] = R"PY(
import http.server, sys, os, threading, time, urllib.request, urllib.error
root, port = sys.argv[1], int(sys.argv[2])
counts = {"200": 0, "500": 0}
lock = threading.Lock()
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path == "/metrics":
            with lock:
                body = "".join('http_requests_total{code="%s"} %d\n' % kv for kv in counts.items())
            self.send_response(200); self.send_header("Content-Type", "text/plain; version=0.0.4"); self.end_headers()
            self.wfile.write(body.encode()); return
        try: fail = open(os.path.join(root, "fail")).read().strip() == "1"
        except OSError: fail = False
        code = 500 if fail else 200
        with lock: counts[str(code)] += 1
        self.send_response(code); self.end_headers(); self.wfile.write(b"x")
def traffic():
    while True:
        try: urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=1).read()
        except Exception: pass
        time.sleep(0.05)
threading.Thread(target=traffic, daemon=True).start()
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
)PY";

// Starts kErrorApp (written to dir/app.py, root `dir`) on `port`.
inline pid_t StartErrorApp(const fs::path& dir, int port) {
  std::ofstream(dir / "app.py") << kErrorApp;
  return Spawn({"python3", (dir / "app.py").string(), dir.string(), std::to_string(port)}, "");
}

// Starts `prometheus` on `port`, its data in dir/tsdb and its log in
// dir/prometheus.log, scraping and evaluating every second the app on
// `app_port`; `extra` is more of prometheus.yml (rules, alerting).
inline pid_t StartPrometheus(const std::string& prometheus, const fs::path& dir, int port, int app_port,
                             const std::string& extra = "") {
  fs::create_directories(dir / "tsdb");
  std::ofstream(dir / "prometheus.yml") << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                        << "scrape_configs:\n  - job_name: app\n    static_configs:\n"
                                        << "      - targets: ['127.0.0.1:" << app_port << "']\n"
                                        << extra;
  return Spawn(
      {prometheus, "--config.file=" + (dir / "prometheus.yml").string(),
       "--storage.tsdb.path=" + (dir / "tsdb").string(), "--web.listen-address=127.0.0.1:" + std::to_string(port)},
      (dir / "prometheus.log").string());
}

}  // namespace dbroll::testing_servers

#endif  // DBROLL_TESTS_ALERTS_ERROR_APP_H_
