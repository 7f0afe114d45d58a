"The module map, checked on the library's source: no module imports another's private names, and the pipelines (glue, e2e, instruct) are siblings that never import one another."
import ast
from pathlib import Path

LIB = Path(__file__).resolve().parent.parent / 'molex_nb'
PIPELINES = {'glue', 'e2e', 'instruct'}


def _package_imports(path:Path):
    "(module imported, names) for each `from .x import ...` / `from molex_nb.x import ...` of a file."
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or '').startswith('molex_nb')):
            yield (node.module or '').split('.')[-1], [a.name for a in node.names]


def _modules(): return [p for p in sorted(LIB.glob('*.py')) if not p.name.startswith('_')]


def test_no_private_names_imported():
    bad = [f"{p.name}: from {m} import {n}" for p in _modules() for m, names in _package_imports(p) for n in names if n.startswith('_')]
    assert not bad, bad


def test_pipelines_are_siblings():
    bad = [f"{p.name} imports {m}" for p in _modules() if p.stem in PIPELINES for m, _ in _package_imports(p) if m in PIPELINES - {p.stem}]
    assert not bad, bad


def test_the_checks_can_fail(tmp_path):
    (tmp_path / 'x.py').write_text("from .hf import _secret, public\nfrom molex_nb.glue import parse\n")
    test = list(_package_imports(tmp_path / 'x.py'))
    assert test == [('hf', ['_secret', 'public']), ('glue', ['parse'])]
