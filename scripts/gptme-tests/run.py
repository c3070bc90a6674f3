#!/usr/bin/env python3
"""Runs gptme's own server tests over HTTP against gptme-ts and reports the pass figure.

    python3 scripts/gptme-tests/run.py /tmp/gptme-head [-k expr] [--file test_server.py ...]

GPTME_CHECKOUT is an extracted gptme source tree (its `tests/` folder is read, never changed).
Its server test files are copied into a temp dir beside this harness's conftest.py, the
servers are started (serve-stack.ts: fake model + gptme-ts with auth off + with auth on), and
pytest runs. Tests that patch gptme's Python internals are skipped with the reason
(`portability.py`); the figure is passed / portable tests that ran, with the skipped ones
counted by kind of reason.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

HARNESS = Path(__file__).resolve().parent
REPOSITORY = HARNESS.parent.parent


TEST_FILES = ["test_server*.py", "test_tasks_api.py"]

def reason_kind(message: str) -> str:
    """A not-portable skip reason grouped by kind, for the summary."""
    reason = message.split("not portable: ", 1)[-1]
    for prefix, kind in [
        ("imports", "imports gptme's Python modules"),
        ("uses gptme's", "calls gptme's Python functions"),
        ("patches", "patches gptme's Python objects"),
        ("monkeypatch.", "monkeypatches the in-process app"),
        ("needs fixture", "needs a fixture only gptme's conftest has"),
        ("builds its own Flask app", "builds its own Flask app"),
        ("needs a real model", "needs a real model API key"),
        ("reads gptme's own source", "reads gptme's source tree"),
    ]:
        if reason.startswith(prefix):
            return kind
    return reason


def start_stack(state: Path) -> tuple[subprocess.Popen, dict]:
    process = subprocess.Popen(
        ["node", "--import", "tsx", str(HARNESS / "serve-stack.ts"), str(state)],
        cwd=REPOSITORY,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=open(state / "stack.log", "w"),
        text=True,
        start_new_session=True,
    )
    line = process.stdout.readline()
    if not line:
        process.wait()
        sys.exit(f"the servers did not start; see {state / 'stack.log'}")
    return process, json.loads(line)


def case_name(case: ElementTree.Element) -> tuple[str, str]:
    """(file name, portability name) of a junit test case."""
    classname = case.get("classname", "")
    parts = classname.split(".")
    name = re.sub(r"\[.*\]$", "", case.get("name", ""))
    if parts and parts[-1].startswith("Test"):
        return f"{parts[-2]}.py", f"{parts[-1]}::{name}"
    return f"{parts[-1]}.py", name


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkout", type=Path, help="an extracted gptme source tree")
    parser.add_argument("--file", action="append", default=[], help="only this test file (repeatable)")
    parser.add_argument("-k", dest="keyword", help="pytest -k expression")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (report.xml, stack.log)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show pytest's own output")
    arguments = parser.parse_args()

    source_tests = arguments.checkout / "tests"
    if not source_tests.is_dir():
        sys.exit(f"{arguments.checkout}: no tests/ folder (expected a gptme source tree)")
    work = Path(tempfile.mkdtemp(prefix="gptme-tests-"))
    tests = work / "tests"
    tests.mkdir()
    patterns = arguments.file or TEST_FILES
    for pattern in patterns:
        for path in sorted(source_tests.glob(pattern)):
            shutil.copy(path, tests / path.name)
    shutil.copy(HARNESS / "conftest.py", tests / "conftest.py")

    state = work / "state"
    state.mkdir()
    stack, urls = start_stack(state)
    try:
        env = {
            **os.environ,
            "GPTME_TS_STACK": json.dumps(urls),
            "GPTME_TS_HARNESS_DIR": str(HARNESS),
            "GPTME_TEST_SERVER_URL": urls["client_url"],
            "GPTME_CHAT_HISTORY": "false",
        }
        command = [
            sys.executable, "-m", "pytest", str(tests), "-p", "no:cacheprovider", "-q", "--continue-on-collection-errors",
            f"--junitxml={work / 'report.xml'}", "-o", "junit_family=xunit1",
        ]
        if arguments.keyword:
            command += ["-k", arguments.keyword]
        with open(work / "pytest.log", "w") as log:
            subprocess.run(command + ["-rfE"], cwd=work, env=env, stdout=None if arguments.verbose else log, stderr=subprocess.STDOUT)
    finally:
        stack.stdin.close()
        try:
            stack.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, 9)

    counts = {"passed": 0, "failed": 0, "not_portable": 0, "skipped": 0}
    not_portable: dict[str, int] = {}
    failures = []
    for case in ElementTree.parse(work / "report.xml").getroot().iter("testcase"):
        filename, name = case_name(case)
        skipped = case.find("skipped")
        failed = case.find("failure") if case.find("failure") is not None else case.find("error")
        if skipped is not None:
            message = skipped.get("message") or ""
            key = "not_portable" if "not portable" in message else "skipped"
            counts[key] += 1
            if key == "not_portable":
                kind = reason_kind(message)
                not_portable[kind] = not_portable.get(kind, 0) + 1
            continue
        outcome = "failed" if failed is not None else "passed"
        counts[outcome] += 1
        if failed is not None:
            message = (failed.get("message") or "").splitlines()[0][:160] if failed.get("message") else ""
            failures.append((f"{filename}::{case.get('name')}", message))

    ran = counts["passed"] + counts["failed"]
    percent = lambda part, whole: f"{100 * part / whole:.1f}%" if whole else "n/a"  # noqa: E731
    print(f"portable test cases run: {ran} (not portable: {counts['not_portable']}, skipped by their own conditions: {counts['skipped']})")
    print(f"passed: {counts['passed']}/{ran} = {percent(counts['passed'], ran)}")
    print("not portable, by kind:")
    for kind, count in sorted(not_portable.items(), key=lambda item: -item[1]):
        print(f"  {count:4d}  {kind}")
    if failures:
        print("failing:")
        for name, message in failures:
            print(f"  {name}: {message}")
    summary = {**counts, "not_portable_by_kind": not_portable, "failures": failures}
    (work / "summary.json").write_text(json.dumps(summary, indent=2))
    if arguments.keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
