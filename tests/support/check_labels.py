#!/usr/bin/env python3
"""Fails unless every test ctest knows carries exactly one test kind label
and a name of its own.

  check_labels.py CTEST BUILD_DIR

The kinds are those of tests/CMakeLists.txt (DBROLL_TEST_KINDS); other labels
may be added freely. Run as the ctest `test_labels`, so a test whose labels
were lost (a CMake list expanded into PROPERTIES) or doubled fails the suite.
"""
import json
import subprocess
import sys

KINDS = ("unit", "integration", "e2e", "crash", "install")


def main():
    ctest, build = sys.argv[1], sys.argv[2]
    out = subprocess.run([ctest, "--show-only=json-v1"], cwd=build, check=True,
                         capture_output=True, text=True).stdout
    bad = []
    tests = json.loads(out).get("tests", [])
    seen = set()
    for t in tests:
        if t["name"] in seen:
            bad.append("%s: two tests have this name (ctest merges their properties) -- rename one "
                       "test suite" % t["name"])
        seen.add(t["name"])
        if t["name"].endswith("_NOT_BUILT"):
            continue  # a target not built in this tree: no test to label
        labels = []
        for p in t.get("properties", []):
            if p.get("name") == "LABELS":
                labels = p.get("value", [])
        kinds = [l for l in labels if l in KINDS]
        if len(kinds) != 1:
            bad.append("%s: labels %s hold %d of the test kinds" % (t["name"], labels or "[]", len(kinds)))
    for b in bad:
        print(b)
    if bad:
        print("%d of %d tests fail: each needs a name of its own and exactly one of %s -- set LABELS in "
              "dbroll_add_test() or set_tests_properties() in tests/<area>/CMakeLists.txt" %
              (len(bad), len(tests), ", ".join(KINDS)))
        return 1
    print("%d tests, each named once and with exactly one of %s" % (len(tests), ", ".join(KINDS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
