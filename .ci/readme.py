"Write README.md from nbs/index.ipynb (nbdev_readme needs Quarto): markdown as is, code and its text output as blocks."
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
nb = json.loads((root/'nbs'/'index.ipynb').read_text())
out = []
for c in nb['cells']:
    src = ''.join(c['source'])
    if c['cell_type'] == 'markdown': out.append(src.strip()); continue
    if re.search(r'^#\|\s*hide\b', src, re.M): continue
    code = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip()
    out.append(f"```python\n{code}\n```")
    for o in c.get('outputs', []):
        text = o.get('text') or o.get('data', {}).get('text/plain')
        if text: out.append("```\n" + ''.join(text).rstrip() + "\n```")
txt = "<!-- Generated from nbs/index.ipynb by .ci/readme.py: edit the notebook, not this file. -->\n\n" + '\n\n'.join(out) + '\n'
dest = root/'README.md'
if '--check' in sys.argv:
    if dest.read_text() != txt: sys.exit("README.md is out of date with nbs/index.ipynb: run python .ci/readme.py")
else: dest.write_text(txt)
