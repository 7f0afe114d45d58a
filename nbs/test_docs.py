"The docs check: build the site offline from the notebooks and _quarto.yml, then check its pages (.ci/docs.py)."
import subprocess, sys
from pathlib import Path


def test_docs_site_builds_offline():
    root = Path(__file__).resolve().parent.parent
    r = subprocess.run([sys.executable, str(root / '.ci' / 'docs.py'), '--check'], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert 'docs check:' in r.stdout and 'pages OK' in r.stdout
