#!/usr/bin/env python3
"""scripts/check-size.py -- no source file over 800 lines and no function over
120 lines, unless the code says why (docs/architecture.md, "Size").

A file over the limit needs the words "LONG FILE:" and a reason in its
opening comment; a function over the limit needs "LONG FUNCTION:" and a reason
in the comment right above it. Functions are found the way the code is
written (STYLE.md): a body opens with a '{' alone at column 0 and closes with
the next '}' alone at column 0. Prints each offence as file:line and exits 1
if there is one."""
import os
import re
import sys

FILE_MAX, FUNC_MAX = 800, 120
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
paths = sys.argv[1:] or sorted(
    os.path.join(d, f) for d, _, fs in os.walk(os.path.join(root, 'src'))
    for f in fs if f.endswith(('.c', '.h')))
bad = 0
for path in paths:
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    rel = os.path.relpath(path, root)
    head = '\n'.join(lines[:40])
    head = head[:head.find('*/') + 2] if '*/' in head else ''
    if len(lines) > FILE_MAX and 'LONG FILE:' not in head:
        print('%s:1: %d lines (over %d) and its opening comment says no "LONG FILE:" reason'
              % (rel, len(lines), FILE_MAX))
        bad = 1
    i = 0
    while i < len(lines):
        if lines[i] != '{':
            i += 1
            continue
        start = i
        j = i + 1
        while j < len(lines) and lines[j] != '}':
            j += 1
        n = j - start - 1
        # the signature and the comment above it
        k = start - 1
        while k >= 0 and lines[k] and not lines[k].startswith(('}', '#')) and not lines[k].endswith(';'):
            k -= 1
        above = '\n'.join(lines[max(0, k - 30):start])
        m = re.search(r'(\w+)\s*\(', '\n'.join(lines[k + 1:start]))
        name = m.group(1) if m else '?'
        if n > FUNC_MAX and 'LONG FUNCTION:' not in above:
            print('%s:%d: function %s is %d lines (over %d) and the comment above it says no '
                  '"LONG FUNCTION:" reason' % (rel, start + 1, name, n, FUNC_MAX))
            bad = 1
        i = j + 1
if not bad:
    print('size: no file over %d lines, no function over %d, but where the code says why'
          % (FILE_MAX, FUNC_MAX))
sys.exit(bad)
