#!/usr/bin/env python3
"""Fails when the tests left anything in their temporary directory.

  tmp_guard.py DIR

ctest runs the unit and e2e tests with TMPDIR=DIR (tests/CMakeLists.txt) and
this once they are all done. Tests make their files under $TMPDIR
(tests/support/temp_dir.h) and remove them again; whatever is left is listed
here -- its name tells which test made it -- and then removed, so the next
run starts empty.
"""
import os
import shutil
import sys


def main():
    root = sys.argv[1]
    left = sorted(os.listdir(root)) if os.path.isdir(root) else []
    for name in left:
        path = os.path.join(root, name)
        n = sum(len(d) + len(f) for _, d, f in os.walk(path)) if os.path.isdir(path) else 0
        print("%s%s" % (path, " (a directory holding %d entries)" % n if os.path.isdir(path) else ""))
    if left:
        print("%d entries left behind in the tests' TMPDIR -- make them under a tests/support/temp_dir.h "
              "TempDir (or ProcessTempDir()) so they are removed" % len(left))
    for name in left:
        path = os.path.join(root, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            os.remove(path)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
