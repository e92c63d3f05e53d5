#!/usr/bin/env python3
"""Fleet crash: SIGKILL `dbroll fleet migrate` while it runs, then run it again; every tenant must
end at the newest version with every version applied exactly once.

    fleet_crash.py DBROLL_BINARY [ITERATIONS] [SEED]

Each iteration: a fresh project of TENANTS SQLite tenants x N migrations (each up inserts rows, so
a target takes a while), `fleet migrate --parallel 2`, killed (SIGKILL, the whole process) once a
seeded number of tenants has reported (the progress line is the event waited for, not a sleep);
then `fleet migrate` again must exit 0, and every tenant must hold N history rows, N distinct
versions, every table with its rows once. Exits 0 when all of this holds; prints one line per
violation. Leaves nothing behind.
"""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile

BIN = sys.argv[1]
ITERS = int(sys.argv[2]) if len(sys.argv) > 2 else 4
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 1
TENANTS, N, ROWS = 40, 20, 2000
rng = random.Random(SEED)
bad = []


def project(root):
    os.makedirs(os.path.join(root, "tenants"))
    for i in range(1, N + 1):
        d = os.path.join(root, "migrations", f"{i:05d}_t{i}")
        os.makedirs(d)
        with open(os.path.join(d, "up.sql"), "w") as f:
            f.write(f"CREATE TABLE t{i} (id integer primary key, v text);\n"
                    f"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {ROWS}) "
                    f"INSERT INTO t{i} SELECT x, hex(randomblob(16)) FROM c;\n")
        with open(os.path.join(d, "down.sql"), "w") as f:
            f.write(f"DROP TABLE t{i};\n")
    with open(os.path.join(root, "dbroll.toml"), "w") as f:
        f.write('[migrations]\ndir = "migrations"\n[fleet]\ntargets_command = "cat targets.txt"\n')
    with open(os.path.join(root, "targets.txt"), "w") as f:
        for t in range(1, TENANTS + 1):
            f.write(f"sqlite:tenants/t{t}.db\n")


def check(root, it):
    for t in range(1, TENANTS + 1):
        path = os.path.join(root, "tenants", f"t{t}.db")
        db = sqlite3.connect(path)
        try:
            rows, distinct = db.execute("select count(*), count(distinct version) from dbroll_history").fetchone()
            if (rows, distinct) != (N, N):
                bad.append(f"iteration {it} (seed {SEED}): t{t}.db history has {rows} rows, {distinct} versions")
            for i in range(1, N + 1):
                n = db.execute(f"select count(*) from t{i}").fetchone()[0]
                if n != ROWS:
                    bad.append(f"iteration {it} (seed {SEED}): t{t}.db table t{i} has {n} rows, want {ROWS}")
        except sqlite3.Error as e:
            bad.append(f"iteration {it} (seed {SEED}): t{t}.db: {e}")
        finally:
            db.close()


for it in range(ITERS):
    root = tempfile.mkdtemp(prefix="dbroll-fleet-crash-")
    try:
        project(root)
        kill_after = rng.randint(1, TENANTS - 2)
        p = subprocess.Popen([BIN, "-C", root, "fleet", "migrate", "--parallel", "2"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        seen = 0
        for line in p.stdout:
            if line.startswith("ok "):
                seen += 1
                if seen >= kill_after:
                    p.send_signal(signal.SIGKILL)
                    break
        p.wait()
        p.stdout.close()
        if p.returncode != -signal.SIGKILL:
            bad.append(f"iteration {it} (seed {SEED}): the run ended ({p.returncode}) before the kill after {kill_after}")
        r = subprocess.run([BIN, "-C", root, "fleet", "migrate", "--parallel", "2"], capture_output=True, text=True)
        if r.returncode != 0:
            bad.append(f"iteration {it} (seed {SEED}): rerun exited {r.returncode}: {r.stdout[-2000:]} {r.stderr[-2000:]}")
        check(root, it)
    finally:
        shutil.rmtree(root, ignore_errors=True)

for b in bad:
    print(b)
print(f"fleet crash: {ITERS} iteration(s), seed {SEED}: {'ok' if not bad else str(len(bad)) + ' violation(s)'}")
sys.exit(1 if bad else 0)
