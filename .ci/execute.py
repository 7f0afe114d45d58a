"Execute a notebook in place with execnb, saving its outputs for the docs: python .ci/execute.py nbs/NB.ipynb [flags to skip, default: slow cuda].\nA skipped cell keeps the outputs of its last run (a slow cell's real results stay on the page)."
import sys, os, time
from pathlib import Path
from execnb.shell import CaptureShell
from nbdev.process import NBProcessor, write_nb
from fastcore.xtras import working_directory
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')
skip = set(sys.argv[2:]) if len(sys.argv) > 2 else {'slow', 'cuda'}
fn = Path(sys.argv[1]).absolute()
def _no_eval(cell):
    if cell.cell_type != 'code': return True
    d = getattr(cell, 'directives_', {}) or {}
    if d.get('eval:', [''])[0].lower() == 'false': return True
    return bool(skip & d.keys())
nb = NBProcessor(fn, rm_directives=False).nb
for c in nb.cells:
    if c.cell_type == 'code' and not _no_eval(c): c.outputs, c.execution_count = [], None
t = time.time()
with working_directory(fn.parent):
    sh = CaptureShell(fn)
    try: sh.run_all(nb, exc_stop=True, preproc=_no_eval)
    except Exception:
        print(sh.prettytb(fname=fn)); raise SystemExit(1)
import re
for c in nb.cells:
    c.pop('directives_', None)
    if c.cell_type == 'code':   # drop stream outputs that are only terminal control codes (ipywidgets' clear_output)
        c.outputs = [o for o in c.outputs if not (o.get('output_type') == 'stream' and not re.sub(r'\x1b\[[0-9;]*[A-Za-z]|\r', '', ''.join(o.get('text', ''))).strip())]
write_nb(nb, fn)
print('ok', fn.name, f'{time.time()-t:.1f}s')
