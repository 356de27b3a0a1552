#!/usr/bin/env python3
"""Runs CPython's own test_ssl against our `_ssl` (the sslcontext-py crate).

Usage (from the repository root):

    python3 python/run_test_ssl.py            # build the module, run test_ssl, compare
    python3 python/run_test_ssl.py --lib PATH # use an already built lib_ssl.so
    python3 python/run_test_ssl.py --suite test_asyncio.test_ssl   # another suite

It builds `python/` with cargo (unless --lib is given), copies the library into a
temporary directory as `_ssl<EXT_SUFFIX>`, puts that directory first on PYTHONPATH
(CPython's `_ssl` is a lib-dynload module, so ours shadows it) and runs the
interpreter's installed test package with regrtest: `python3 -m test test_ssl`
(resources as regrtest sets them: no network, no walltime; `--use RES` enables one).
Per-test outcomes come from regrtest's verbose output and are compared with
`python/test_ssl.expected` (`python/<suite>.expected` for `--suite`, optionally
narrowed with `--match`):

    fail    Class.test_name  why it fails
    skip    Class.test_name  why it is skipped
    notrun  Class.test_name  why it is not run (it would hang; given to regrtest's
                             --ignorefile)

The run fails when a test fails or skips without being listed so, and when a listed
test does not fail / skip (the list stays true). It prints the counts:
run / passed / failed (listed) / skipped, and the tests not run.
"""
import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Hard limits. regrtest's --timeout arms faulthandler once around the whole test file
# when it runs in one process (so it bounds the file, not each test): on a hang it
# dumps every thread's stack and exits. The subprocess itself gets RUN_TIMEOUT.
# A normal run takes well under a minute.
FILE_TIMEOUT = int(os.environ.get("TEST_SSL_FILE_TIMEOUT", "180"))
RUN_TIMEOUT = 240


def build():
    """Builds the module with cargo; returns the path of the shared library."""
    env = dict(os.environ, PYO3_PYTHON=sys.executable)
    cmd = [os.environ.get("CARGO", "cargo"), "build", "--quiet", "-p", "sslcontext-py", "--message-format=json"]
    if os.environ.get("SSLCONTEXT_BUILD_RELEASE"):
        cmd.append("--release")
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True)
    for line in out.stdout.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "_ssl":
            for f in msg["filenames"]:
                if f.endswith((".so", ".dylib")):
                    return f
    raise SystemExit("cargo built no _ssl library")


def read_expected(path):
    """{test id: (kind, reason)} from the expected-failures file."""
    expected = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3 or parts[0] not in ("fail", "skip", "notrun"):
                raise SystemExit(f"{path}:{n}: want 'fail|skip|notrun Class.test reason'")
            if parts[1] in expected:
                raise SystemExit(f"{path}:{n}: {parts[1]} listed twice")
            expected[parts[1]] = (parts[0], parts[2])
    return expected


def patterns(suite):
    """The regexes of a test's start line and of unittest's failure headers."""
    mod = re.escape("test." + suite)
    # unittest runs every method whose name starts with "test" (`testTimeoutValue` too).
    start = re.compile(rf"^(test\w*) \({mod}\.(\w+)\.(test\w*)\)", re.M)
    failed = re.compile(rf"^(?:ERROR|FAIL): (test\w*) \({mod}\.(\w+)\.test\w*\)", re.M)
    return start, failed


SKIPPED = re.compile(r"(?:\.\.\. |^)skipped ['\"]", re.M)


def outcomes(output, suite):
    """{Class.test: 'pass' | 'fail' | 'skip'} from `-v` output: every test's start
    line, the `ERROR:` / `FAIL:` headers of unittest's report, and `skipped '...'`
    between a test's start line and the next one."""
    result = {}
    START, FAILED = patterns(suite)
    starts = list(START.finditer(output))
    for i, m in enumerate(starts):
        tid = f"{m.group(2)}.{m.group(1)}"
        end = starts[i + 1].start() if i + 1 < len(starts) else len(output)
        segment = output[m.end():end]
        result[tid] = "skip" if SKIPPED.search(segment) else "pass"
    for m in FAILED.finditer(output):
        result[f"{m.group(2)}.{m.group(1)}"] = "fail"
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lib", help="an already built lib_ssl.so (default: build it)")
    ap.add_argument("--suite", default="test_ssl",
                    help="the test module under CPython's `test` package (default test_ssl;"
                    " e.g. test_asyncio.test_ssl)")
    ap.add_argument("--match", action="append", default=[],
                    help="only tests matching this pattern (regrtest -m; repeatable)")
    ap.add_argument("--expected", help="the expected-outcomes file"
                    " (default: python/<suite>.expected)")
    ap.add_argument("--use", action="append", default=[],
                    help="a regrtest resource to enable (regrtest -u; repeatable), e.g. walltime")
    ap.add_argument("--show-output", action="store_true", help="print regrtest's output")
    args = ap.parse_args()

    suite = args.suite
    if args.expected is None:
        args.expected = os.path.join(HERE, suite + ".expected")
    lib = args.lib or build()
    expected = read_expected(args.expected)
    notrun = [t for t, (kind, _) in expected.items() if kind == "notrun"]
    with tempfile.TemporaryDirectory(prefix="sslcontext-test_ssl-") as tmp:
        shadow = os.path.join(tmp, "shadow")
        os.mkdir(shadow)
        shutil.copy(lib, os.path.join(shadow, "_ssl" + sysconfig.get_config_var("EXT_SUFFIX")))
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [shadow, env.get("PYTHONPATH")]))
        check = subprocess.run(
            [sys.executable, "-c", "import _ssl, ssl; print(_ssl.__file__); print(ssl.OPENSSL_VERSION)"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp,
        )
        print(check.stdout.strip())
        if check.returncode != 0 or not check.stdout.startswith(shadow):
            print("error: `import ssl` does not load our _ssl")
            return 1
        listed = subprocess.run(
            [sys.executable, "-m", "test", suite, "--list-cases"] + [a for m in args.match for a in ("-m", m)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp,
        )
        all_tests = [
            line.strip()[len(f"test.{suite}."):]
            for line in listed.stdout.splitlines()
            if line.startswith(f"test.{suite}.")
        ]
        not_run = [t for t in all_tests if any(fnmatch.fnmatchcase(t, p) for p in notrun)]
        ignore_path = os.path.join(tmp, "ignore.txt")
        with open(ignore_path, "w", encoding="utf-8") as f:
            f.writelines(f"test.{suite}.{t}\n" for t in notrun)
        cmd = [
            sys.executable, "-m", "test", suite, "-v",
            "--timeout", str(FILE_TIMEOUT),
            "--ignorefile", ignore_path,
        ] + [a for m in args.match for a in ("-m", m)] + [a for u in args.use for a in ("-u", u)]
        print("+ PYTHONPATH=" + shadow, " ".join(cmd[0:1] + ["-m"] + cmd[2:]), flush=True)
        try:
            run = subprocess.run(
                cmd, env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=RUN_TIMEOUT,
            )
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else e.stdout
            print((out or "")[-5000:])
            print(f"error: {suite} did not finish within {RUN_TIMEOUT} s")
            return 1
        if args.show_output:
            print(run.stdout)
        if "== Tests result:" not in run.stdout or f"{suite} crashed" in run.stdout:
            print(run.stdout[-10000:])
            print(f"error: regrtest did not finish {suite}")
            return 1
        got = outcomes(run.stdout, suite)

    problems = []
    for tid, outcome in sorted(got.items()):
        want = expected.get(tid, ("pass", ""))[0]
        if any(fnmatch.fnmatchcase(tid, t) for t in notrun):
            problems.append(f"{tid}: ran although listed as notrun")
            continue
        if outcome != want:
            problems.append(f"{tid}: {outcome}, expected {want}")
    for tid in sorted(t for t in set(expected) - set(got) if expected[t][0] != "notrun"):
        problems.append(f"{tid}: listed in {os.path.basename(args.expected)} but did not run")
    for tid in sorted(set(all_tests) - set(got) - set(not_run) - set(expected)):
        problems.append(f"{tid}: no outcome found in regrtest's output")
    if not all_tests:
        problems.append("regrtest --list-cases listed no test")

    n_run = sum(1 for o in got.values() if o != "skip")
    n_pass = sum(1 for o in got.values() if o == "pass")
    n_fail = sum(1 for o in got.values() if o == "fail")
    n_fail_listed = sum(1 for t, o in got.items() if o == "fail" and expected.get(t, ("",))[0] == "fail")
    n_skip = sum(1 for o in got.values() if o == "skip")
    classes = {}
    for tid, o in got.items():
        classes.setdefault(tid.split(".")[0], []).append(o)
    print("per class (passed/total):")
    for cls, os_ in sorted(classes.items()):
        print(f"  {cls}: {os_.count('pass')}/{len(os_)}" + (f" ({os_.count('skip')} skipped)" if "skip" in os_ else ""))
    print(
        f"{suite}: run {n_run} / passed {n_pass} / failed {n_fail} ({n_fail_listed} listed)"
        f" / skipped {n_skip}; not run (listed): {len(not_run)} of {len(all_tests)}"
    )
    if problems:
        print(run.stdout[-20000:])
        print("\nNot as listed in the expected file:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"{suite}: every outcome as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
