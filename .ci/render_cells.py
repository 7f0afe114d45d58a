#!/usr/bin/env python
# Re-render chosen cells of a notebook after its inputs changed (new run records): run in the dev venv, then nbdev_clean.
"""Execute a notebook top to bottom (skipping #| slow, #| cuda, #| eval: false cells) in its folder, and store the fresh
outputs of the code cells whose source contains one of the given strings; every other cell keeps its committed outputs.
Usage: python .ci/render_cells.py nbs/NB.ipynb STRING... [--all]   (--all: store every executed cell's outputs)"""
import sys, os, json, re
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell
path, keys = Path(sys.argv[1]).resolve(), [a for a in sys.argv[2:] if a != '--all']
store_all = '--all' in sys.argv
nb = read_nb(path)
old = {c.get('id'): c.get('outputs') for c in nb.cells if c.cell_type == 'code'}
skip = re.compile(r'^#\|\s*(slow|cuda|eval:\s*false)', re.M)
os.chdir(path.parent)
os.environ.setdefault('HF_HUB_OFFLINE', '1'); os.environ.setdefault('MPLBACKEND', 'Agg')
sh = CaptureShell(path)
hit = set()
def pre(c):
    return c.cell_type != 'code' or bool(skip.search(c.source))
def post(c):
    if sh.exc: print('EXCEPTION in cell', c.get('id'), repr(sh.exc)[:2000]); raise SystemExit(1)
    if store_all or any(k in c.source for k in keys): hit.add(c.get('id'))
    else: c.outputs = old.get(c.get('id'), [])
sh.run_all(nb, preproc=pre, postproc=post)
missing = [k for k in keys if not any(k in c.source for c in nb.cells)]
if missing: print('strings not found:', missing); raise SystemExit(1)
write_nb(nb, path)
print('stored outputs of', sorted(hit))
