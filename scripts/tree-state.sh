#!/usr/bin/env bash
# scripts/tree-state.sh -- prints what git sees in the working tree besides
# build/ and bin/: changed, untracked and ignored files, one per line, sorted.
# tests/run and scripts/fuzz.sh print it before and after they run and fail
# when it changed, so no test, fuzz target or benchmark writes into the source
# tree unnoticed (ignored files such as results/ count too: .gitignore hides
# them from `git status`, not from the user). Prints nothing outside a git
# checkout (a release tarball), where there is nothing to compare.
set -u
cd "$(dirname "$0")/.." || exit 1
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || exit 0
git status --porcelain --ignored --untracked-files=all -- . ':!build' ':!bin' | LC_ALL=C sort
