"What .ci/gpu-check does apart from the GPU: its argument errors, the wheel path for a missing test harness, and the layout of OUTDIR."
import importlib.util, json, subprocess, sys, zipfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location('gpu_check', ROOT / '.ci' / 'gpu_check.py')
gc = importlib.util.module_from_spec(spec); spec.loader.exec_module(gc)


def _run(*args):
    return subprocess.run([str(ROOT / '.ci' / 'gpu-check'), *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def _wheel(folder:Path, dist:str, module:str, version='1.0'):
    "A minimal pure-Python wheel of `dist` holding `module` (value = 42)."
    name = f"{dist.replace('-', '_')}-{version}"
    path = folder / f"{name}-py3-none-any.whl"
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr(f"{module}/__init__.py", "value = 42\n")
        z.writestr(f"{name}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
        z.writestr(f"{name}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{name}.dist-info/RECORD", f"{module}/__init__.py,,\n{name}.dist-info/METADATA,,\n{name}.dist-info/WHEEL,,\n{name}.dist-info/RECORD,,\n")
    return path


def test_argument_errors(tmp_path):
    full = tmp_path / 'full'; full.mkdir(); (full / 'x').write_text('x')
    r = _run(full)
    assert r.returncode == 2 and "exists and is not an empty folder" in r.stderr
    r = _run(tmp_path / 'new', '--time-limit', '0')
    assert r.returncode == 2 and "--time-limit=0.0 must be a number of seconds > 0" in r.stderr
    r = _run(tmp_path / 'new', '--wheels', tmp_path / 'nowhere')
    assert r.returncode == 2 and "is not a folder" in r.stderr
    r = _run()
    assert r.returncode == 2 and "outdir" in r.stderr


def test_no_gpu_is_a_clear_error(tmp_path):
    r = _run(tmp_path / 'out')
    if 'cuda' in r.stdout.lower() and r.returncode == 0: pytest.skip('this machine has a GPU')
    assert r.returncode == 1 and "no CUDA device is visible" in r.stderr


def test_wheel_path(tmp_path):
    wheels = tmp_path / 'wheels'; wheels.mkdir()
    _wheel(wheels, 'molex-gpucheck-probe', 'molex_gpucheck_probe')
    _wheel(wheels, 'pytest', 'pytest_shadow')                        # installed here already: must be skipped
    assert gc._dist_of(wheels / 'molex_gpucheck_probe-1.0-py3-none-any.whl') == 'molex-gpucheck-probe'
    assert gc.missing_modules(['molex_gpucheck_probe', 'json']) == ['molex_gpucheck_probe']
    site = tmp_path / 'site'
    assert gc.install_wheels(wheels, site, log=lambda s: None) == ['molex_gpucheck_probe-1.0-py3-none-any.whl']
    assert (site / 'molex_gpucheck_probe' / '__init__.py').exists() and not (site / 'pytest_shadow').exists()
    r = subprocess.run([sys.executable, '-c', 'import molex_gpucheck_probe as m; print(m.value)'], capture_output=True, text=True,
                       env={'PYTHONPATH': str(site)})
    assert r.stdout.strip() == '42'
    with pytest.raises(SystemExit, match="is not a folder of wheels"): gc.install_wheels(tmp_path / 'none', site)


def test_dry_run_layout(tmp_path):
    out = tmp_path / 'out'
    r = _run(out, '--dry-run', '--time-limit', '300')
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(p.name for p in out.iterdir()) == ['gpu-check.log', 'summary.json']
    s = json.loads((out / 'summary.json').read_text())
    assert [st['name'] for st in s['stages']] == ['cuda_cells', 'bench_eager', 'bench_compile_infer', 'proxies']   # the compiled training step and decoding are opt-in
    assert s['dry_run'] and s['time_limit_s'] == 300 and {'torch', 'transformers', 'peft'} <= set(s['versions'])
    cells = s['stages'][0]['command']
    for nb in ('nbs/01_core.ipynb', 'nbs/05_hf.ipynb', 'nbs/06_bench.ipynb'): assert nb in cells
    assert '--flags cuda' in cells
    for st, f in zip(s['stages'][1:], ('bench_eager.json', 'bench_compile_infer.json', 'bench_proxies_gpu.json')):
        assert f"--out {out / f}" in st['command']
    assert 'reduce-overhead' in s['stages'][2]['command'] and '--scale paper' in s['stages'][1]['command'] and '--proxies' in s['stages'][3]['command']
    assert sum(st['budget_s'] for st in s['stages'][:1]) <= 300
    r = _run(tmp_path / 'out2', '--dry-run', '--stages', 'bench_compile_decode,bench_compile_train,cuda_cells')
    s2 = json.loads((tmp_path / 'out2' / 'summary.json').read_text())['stages']
    assert r.returncode == 0 and [st['name'] for st in s2] == ['cuda_cells', 'bench_compile_train', 'bench_compile_decode']
    assert all(x in s2[2]['command'] for x in ('--phases decode', 'llama-3.2-1b:8x128', 'reduce-overhead', 'lora,naive,fast'))
    r = _run(tmp_path / 'out3', '--dry-run', '--stages', 'bench_sleep')
    assert r.returncode == 1 and "['bench_sleep'] are not stages" in r.stderr


def test_cuda_notebooks_need_their_imports(monkeypatch):
    "A notebook whose export cells import a module this machine lacks is skipped by name, not run into an ImportError."
    e2e = ROOT / 'nbs' / '09_e2e.ipynb'
    assert {'datasets', 'torch', 'transformers'} <= gc.notebook_imports(e2e) and 'molex_nb' not in gc.notebook_imports(e2e)
    run, skipped = gc.cuda_notebooks(with_skipped=True)
    assert 'nbs/09_e2e.ipynb' in run and skipped == {}
    real = gc.missing_modules
    monkeypatch.setattr(gc, 'missing_modules', lambda mods: [m for m in mods if m == 'datasets'] or real(mods))
    run, skipped = gc.cuda_notebooks(with_skipped=True)
    assert 'nbs/09_e2e.ipynb' not in run and skipped['nbs/09_e2e.ipynb'] == ['datasets']
    assert 'nbs/05_hf.ipynb' in run                                  # imports nothing missing
