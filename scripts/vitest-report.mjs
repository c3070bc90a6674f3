#!/usr/bin/env node
// Reads a vitest JSON report for .ci/run.
//   counts REPORT      -> "passed failed skipped" (a file that failed to load counts as one failure)
//   failed-files REPORT -> the test files with a failure, one per line
//   failures REPORT    -> one readable line per failed test: file, name, the error's first line
import { readFileSync } from "node:fs";
import { relative } from "node:path";

const [command, reportPath] = process.argv.slice(2);

function load() {
  try {
    return JSON.parse(readFileSync(reportPath, "utf8"));
  } catch {
    return null;
  }
}

function firstLine(text) {
  const line = String(text ?? "").split("\n").find((candidate) => candidate.trim() !== "") ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

const report = load();
const files = report?.testResults ?? [];
const failedFiles = files.filter((file) => file.status === "failed" || file.assertionResults.some((test) => test.status === "failed"));

if (command === "counts") {
  if (!report) console.log("0 1 0");
  else {
    const failed = report.numFailedTests + (report.numFailedTests === 0 ? report.numFailedTestSuites : 0);
    console.log(report.numPassedTests, failed, report.numPendingTests + report.numTodoTests);
  }
} else if (command === "failed-files") {
  for (const file of failedFiles) console.log(relative(process.cwd(), file.name));
} else if (command === "failures") {
  if (!report) console.log(`(no report at ${reportPath})`);
  for (const file of failedFiles) {
    const name = relative(process.cwd(), file.name);
    const tests = file.assertionResults.filter((test) => test.status === "failed");
    if (tests.length === 0) console.log(`${name}: ${firstLine(file.message) || "the file failed outside its tests"}`);
    for (const test of tests) console.log(`${name} > ${test.fullName}: ${firstLine(test.failureMessages?.[0])}`);
  }
} else {
  console.error("usage: vitest-report.mjs counts|failed-files|failures REPORT");
  process.exit(2);
}
