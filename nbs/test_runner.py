"The test harness itself: notebooks run through nbdev's runner, a failing cell fails, tst_flags cells run only with --flags."
import json, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _nb(path, *cells):
    path.write_text(json.dumps({'cells': [{'cell_type': 'code', 'metadata': {}, 'source': c, 'outputs': [], 'execution_count': None}
                                          for c in cells], 'metadata': {'kernelspec': {'name': 'python3', 'language': 'python', 'display_name': 'python3'}},
                                'nbformat': 4, 'nbformat_minor': 5}))


def _pytest(tmp, *args):
    r = subprocess.run([sys.executable, '-m', 'pytest', 'nbs', '-q', '-p', 'no:cacheprovider', *args], cwd=tmp, capture_output=True, text=True)
    return r.stdout.strip().splitlines()[-1]


def test_flags_and_failures(tmp_path):
    shutil.copy(ROOT / 'settings.ini', tmp_path / 'settings.ini')
    (tmp_path / 'nbs').mkdir(); (tmp_path / 'molex_nb').mkdir()
    shutil.copy(ROOT / 'nbs' / 'conftest.py', tmp_path / 'nbs' / 'conftest.py')
    _nb(tmp_path / 'nbs' / 'a.ipynb', 'x = 1', '#| slow\nassert False, "slow cell ran"', '#| cuda\nassert False, "cuda cell ran"',
        '#| eval: false\nassert False')
    _nb(tmp_path / 'nbs' / 'b.ipynb', 'assert 1 + 1 == 2')
    assert _pytest(tmp_path).startswith('2 passed')
    assert _pytest(tmp_path, '--flags', 'slow').startswith('1 failed, 1 passed')
    _nb(tmp_path / 'nbs' / 'b.ipynb', 'assert 1 + 1 == 3')
    assert _pytest(tmp_path).startswith('1 failed, 1 passed')
