"pytest runs every notebook in nbs/ through nbdev's own runner (nbdev.test.test_nb), so tst_flags and `#| eval: false` are honoured."
import os
from pathlib import Path
import pytest

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('MPLBACKEND', 'Agg')


def pytest_addoption(parser):
    parser.addoption('--flags', nargs='*', default=[],
                     help="run cells with these tst_flags too (e.g. --flags slow cuda); they are skipped by default")


def pytest_collect_file(parent, file_path):
    if file_path.suffix == '.ipynb' and not file_path.name.startswith(('_', '.')) and '.ipynb_checkpoints' not in file_path.parts:
        return NotebookFile.from_parent(parent, path=file_path)


class NotebookFile(pytest.File):
    def collect(self): yield NotebookItem.from_parent(self, name=self.path.stem)


class NotebookItem(pytest.Item):
    def runtest(self):
        from nbdev.config import get_config
        from nbdev.test import test_nb
        cfg = get_config()
        force = self.config.getoption('--flags') or []
        bad = set(force) - set(cfg.tst_flags.split())
        if bad: raise pytest.UsageError(f"--flags {sorted(bad)} are not tst_flags; allowed: {cfg.tst_flags.split()}")
        ok, secs = test_nb(self.path, skip_flags=cfg.tst_flags.split(), force_flags=force, basepath=cfg.config_path)
        self.user_properties.append(('seconds', round(secs, 1)))
        if not ok: raise NotebookFailed(self.path.name)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, NotebookFailed): return f"notebook {excinfo.value} failed; its traceback is in the captured stderr below"
        return super().repr_failure(excinfo)

    def reportinfo(self): return self.path, 0, f"notebook {self.path.name}"


class NotebookFailed(Exception): pass
