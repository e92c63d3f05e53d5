#!/usr/bin/env python3
"""Crash loop: SIGKILL dbroll at random moments of `migrate` and `down` and check, after every
kill, that the history agrees with the database.

    crash_loop.py DBROLL_BINARY KIND [ITERATIONS] [SEED]

KIND is sqlite, postgres or mysql (servers from DBROLL_TEST_PG_URL / DBROLL_TEST_MYSQL_URL, as
set by `eval "$(scripts/start-servers)"`). Reproducible: the seed fixes the kill moments and the
choice of migrate or down; rerun with the seed a failure prints. Longer runs by hand:
    tests/crash/crash_loop.py build/cli/dbroll mysql 200 7

After each kill:
  - every version recorded applied is fully present (exact row count, no doubled rows, the last
    statement's column exists), every version recorded nowhere is absent,
  - the runner lock is free within 5 s.
At the end one `dbroll migrate` (after at most one repair that its message names) finishes with
every version applied exactly once. Exits 0 when all of this holds; prints one line per violation.
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

BIN, KIND = sys.argv[1], sys.argv[2]
ITERS = int(sys.argv[3]) if len(sys.argv) > 3 else 8
SEED = int(sys.argv[4]) if len(sys.argv) > 4 else 1
N = 8  # migrations per project
ROWS = {"sqlite": 200000, "postgres": 300000, "mysql": 200000}[KIND]
rng = random.Random(SEED)
DB = f"crash_{os.getpid()}"


def sh(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def server(var):
    u = os.environ.get(var, "")
    if not u:
        if os.environ.get("DBROLL_REQUIRE_SERVERS") == "1":
            print(f"{var} is not set -- eval \"$(scripts/start-servers)\"")
            sys.exit(1)
        print(f"{var} is not set; skipping (DBROLL_REQUIRE_SERVERS=1 makes this a failure)")
        sys.exit(0)
    p = urllib.parse.urlparse(u)
    return p.hostname or "127.0.0.1", str(p.port or (5432 if KIND == "postgres" else 3306)), p.username or "root"


if KIND == "postgres":
    HOST, PORT, USER = server("DBROLL_TEST_PG_URL")
elif KIND == "mysql":
    HOST, PORT, USER = server("DBROLL_TEST_MYSQL_URL")

WORK = tempfile.mkdtemp(prefix="dbroll-crash-")


def q(sql, db=None):
    """One query through the database's own client; stripped text output."""
    if KIND == "postgres":
        r = sh(["psql", "-X", "-At", "-h", HOST, "-p", PORT, "-U", USER, "-d", db or DB, "-c", sql])
    elif KIND == "mysql":
        r = sh(["mariadb", f"-h{HOST}", f"-P{PORT}", f"-u{USER}", "-N", "-B", db or DB, "-e", sql])
    else:
        path = f"{WORK}/crash.db"
        if not os.path.exists(path):
            return ""
        r = sh(["sqlite3", path, sql])
    return r.stdout.strip()


def url():
    if KIND == "postgres":
        return f"postgres://{USER}@{HOST}:{PORT}/{DB}"
    if KIND == "mysql":
        return f"mysql://{USER}@{HOST}:{PORT}/{DB}"
    return f"sqlite:{WORK}/crash.db"


def make_project():
    d = f"{WORK}/proj"
    os.makedirs(f"{d}/migrations")
    with open(f"{d}/dbroll.toml", "w") as f:
        f.write('[migrations]\ndir = "migrations"\n')
    for i in range(1, N + 1):
        v = f"{d}/migrations/{i:04d}_t{i}"
        os.makedirs(v)
        fill = {
            "sqlite": f"INSERT INTO t{i} (id, v) WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM s "
                      f"WHERE n < {ROWS}) SELECT n, 'x' FROM s;",
            "postgres": f"INSERT INTO t{i} (id, v) SELECT g, 'x' FROM generate_series(1, {ROWS}) g;",
            "mysql": f"INSERT INTO t{i} (id, v) SELECT seq, 'x' FROM seq_1_to_{ROWS};",
        }[KIND]
        up = f"CREATE TABLE t{i} (id int, v text);\n{fill}\nALTER TABLE t{i} ADD COLUMN w int;\n"
        if KIND == "postgres" and i % 3 == 0:
            up = "-- dbroll:no-transaction\n" + up + f"CREATE INDEX CONCURRENTLY t{i}_id ON t{i} (id);\n"
        down = f"DROP TABLE t{i};\n"
        if KIND == "mysql" and i % 2 == 0:
            # a down that runs statement by statement too
            down = f"ALTER TABLE t{i} DROP COLUMN w;\nDROP TABLE t{i};\n"
        with open(f"{v}/up.sql", "w") as f:
            f.write(up)
        with open(f"{v}/down.sql", "w") as f:
            f.write(down)
    return d


def fresh_database():
    if KIND == "postgres":
        q(f"DROP DATABASE IF EXISTS {DB}", "postgres")
        q(f"CREATE DATABASE {DB}", "postgres")
    elif KIND == "mysql":
        q(f"DROP DATABASE IF EXISTS {DB}; CREATE DATABASE {DB}", "mysql")


def drop_database():
    if KIND == "postgres":
        q(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)", "postgres")
    elif KIND == "mysql":
        q(f"DROP DATABASE IF EXISTS {DB}", "mysql")


def table(i):
    """None when t{i} is absent, else (rows, distinct ids, has column w)."""
    if KIND == "postgres":
        if q(f"SELECT count(*) FROM pg_tables WHERE tablename='t{i}'") != "1":
            return None
        r = q(f"SELECT count(*)||' '||count(DISTINCT id) FROM t{i}")
        w = q(f"SELECT count(*) FROM information_schema.columns WHERE table_name='t{i}' AND column_name='w'")
    elif KIND == "mysql":
        if q(f"SELECT count(*) FROM information_schema.tables WHERE table_schema='{DB}' AND table_name='t{i}'") != "1":
            return None
        r = q(f"SELECT concat(count(*),' ',count(DISTINCT id)) FROM t{i}")
        w = q(f"SELECT count(*) FROM information_schema.columns WHERE table_schema='{DB}' "
              f"AND table_name='t{i}' AND column_name='w'")
    else:
        if q(f"SELECT count(*) FROM sqlite_master WHERE type='table' AND name='t{i}'") != "1":
            return None
        r = q(f"SELECT count(*)||' '||count(DISTINCT id) FROM t{i}")
        w = q(f"SELECT count(*) FROM pragma_table_info('t{i}') WHERE name='w'")
    a, b = (r.split() + ["?", "?"])[:2]
    return (a, b, w == "1")


def status(d):
    r = sh([BIN, "-C", d, "--url", url(), "--format", "json", "status"], timeout=120)
    try:
        return {v["version"]: v for v in json.loads(r.stdout)["versions"]}
    except (ValueError, KeyError):
        return None


def violations(d, final=False):
    st = status(d)
    if st is None:
        return ["status unreadable"]
    bad = []
    full = (str(ROWS), str(ROWS), True)
    for i in range(1, N + 1):
        v = f"{i:04d}"
        state = st.get(v, {}).get("state", "pending")
        tr = table(i)
        if state == "applied" and tr != full:
            bad.append(f"{v} recorded applied but the table is {tr}")
        if state == "pending" and tr is not None:
            bad.append(f"{v} recorded nowhere but the table exists {tr}")
        if tr is not None and tr[0] != tr[1]:
            bad.append(f"{v} has doubled rows {tr}")
        if final and state != "applied":
            bad.append(f"{v} ends {state}")
    return bad


def lock_free():
    if KIND == "postgres":
        return q("SELECT count(*) FROM pg_locks WHERE locktype='advisory' AND granted "
                 f"AND database=(SELECT oid FROM pg_database WHERE datname='{DB}')") == "0"
    if KIND == "mysql":
        return q(f"SELECT IS_USED_LOCK('dbroll:{DB}.dbroll_history') IS NULL") in ("1", "")
    path = f"{WORK}/crash.db"
    return not os.path.exists(path) or sh(["flock", "-n", path, "true"]).returncode == 0


def wait_lock_free(limit=30.0):
    t0 = time.time()
    while time.time() - t0 < limit:
        if lock_free():
            return time.time() - t0
        time.sleep(0.05)
    return limit


def main():
    d = make_project()
    fresh_database()
    failures = 0
    live = 0
    worst = 0.0
    for it in range(ITERS):
        st = status(d) or {}
        applied = sum(1 for v in st.values() if v.get("state") == "applied")
        act = "down" if applied >= N - 1 or (applied > 2 and rng.random() < 0.3) else "migrate"
        args = ["migrate"] if act == "migrate" else ["down", "--steps", str(rng.randint(2, 5))]
        delay = rng.uniform(0.05, 1.5)
        p = subprocess.Popen([BIN, "-C", d, "--url", url()] + args, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if p.poll() is None:
            live += 1
        p.send_signal(signal.SIGKILL)
        p.wait()
        waited = wait_lock_free()
        worst = max(worst, waited)
        if waited >= 5:
            failures += 1
            print(f"seed {SEED} iteration {it} ({act} killed after {delay:.2f} s): lock still held after {waited:.1f} s")
        bad = violations(d)
        if bad:
            failures += 1
            print(f"seed {SEED} iteration {it} ({act} killed after {delay:.2f} s): " + "; ".join(bad[:4]))
    r = sh([BIN, "-C", d, "--url", url(), "migrate"], timeout=600)
    if r.returncode != 0:
        msg = r.stderr + r.stdout
        m = re.search(r"dbroll (repair[^\n`'\"]*)", msg)
        if not m:
            failures += 1
            print(f"seed {SEED}: recovery migrate failed (exit {r.returncode}) naming no repair: {msg.strip()[:400]}")
        else:
            sh([BIN, "-C", d, "--url", url()] + m.group(1).split(), timeout=120)
            r = sh([BIN, "-C", d, "--url", url(), "migrate"], timeout=600)
            if r.returncode != 0:
                failures += 1
                print(f"seed {SEED}: stuck after `dbroll {m.group(1)}`: {(r.stderr + r.stdout).strip()[:400]}")
    bad = violations(d, final=True)
    if bad:
        failures += 1
        print(f"seed {SEED} final: " + "; ".join(bad[:4]))
    print(f"{KIND}: {ITERS} kills ({live} while dbroll ran), {failures} violations, "
          f"lock free within {worst:.1f} s")
    return failures


if __name__ == "__main__":
    try:
        rc = main()
    finally:
        drop_database()
        shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(1 if rc else 0)
