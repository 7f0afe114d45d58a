"""One command for a GPU machine: .ci/gpu-check OUTDIR [--wheels DIR] [--time-limit S] [--dry-run].

It runs in a checkout of molex_nb on a machine that has torch (with CUDA), transformers, peft and accelerate but no
network. It puts the package (this checkout) and its test harness (nbdev, execnb, fastcore, IPython, ...) on the path,
installing the harness from a folder of wheels if it is missing (`.ci/gpu-wheels DIR` fills one on a machine with
PyPI), then runs, each stage within what is left of the time limit:

1. every `#| cuda` cell: pytest on the notebooks that have one, with --flags cuda (their CPU cells run too);
2. the paper-scale benchmark in eager mode (bf16): molex_bench --scale paper;
3. the compiled benchmark (torch.compile mode reduce-overhead, CUDA graphs) on RoBERTa-base 16x128 inference, LoRA and
   fast MoLEx; with --stages ...,bench_compile_train also a compiled training step (compiling it takes minutes: on the
   H200 neither stage finished in 73 s, so a full run with it needs a larger --time-limit); with
   --stages ...,bench_compile_decode, Llama-3.2-1B 8x128 cached decoding with a static cache, its decoding steps
   compiled by generate (reduce-overhead), LoRA, naive and fast MoLEx;
4. the CPU proxies of the speed targets at RoBERTa-base 16x128 (molex_bench --proxies), with the kernels the GPU really
   launches per step beside the ATen op counts that stand for them on a CPU.

OUTDIR (new or empty) gets: summary.json (machine, versions, every stage's command, exit code, seconds and whether it
timed out), gpu-check.log (all output), bench_eager.json, bench_compile_infer.json, bench_proxies_gpu.json (and
bench_compile_train.json, bench_compile_decode.json).
A stage that runs out of time is stopped and marked timed_out; the benchmark writes its records after every case, so
what was measured before the stop is kept.
"""
from __future__ import annotations
import argparse, importlib.metadata as md, json, os, platform, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HARNESS = {'nbdev': 'nbdev', 'execnb': 'execnb', 'fastcore': 'fastcore', 'ghapi': 'ghapi', 'IPython': 'ipython',
           'pytest': 'pytest'}                              # module -> distribution: what the notebook tests need
RUNTIME = ('torch', 'transformers', 'peft', 'accelerate', 'safetensors', 'matplotlib')   # must be there already
BENCH = 'from molex_nb.bench import main; import sys; main(sys.argv[1:])'
COMPILE_CASE = 'roberta-base:16x128'
DECODE_CASE = 'llama-3.2-1b:8x128'   # the stretch target: cached decoding captured in CUDA graphs (static cache), at most 1.3x LoRA per token


def _dist_of(wheel:Path)->str:
    "The normalised distribution name of a wheel file (PEP 427: name-version-...whl)."
    return re.sub(r'[-_.]+', '-', wheel.name.split('-')[0]).lower()


def _installed(dist:str)->bool:
    try: md.distribution(dist); return True
    except md.PackageNotFoundError: return False


def missing_modules(modules)->list:
    "The modules of `modules` that cannot be imported here."
    import importlib.util
    return [m for m in modules if importlib.util.find_spec(m) is None]


def install_wheels(wheels:Path, site:Path, log=print)->list:
    "Install, into `site`, every wheel of `wheels` whose distribution is not installed (no index, no dependency resolution)."
    if not wheels.is_dir(): raise SystemExit(f"--wheels={str(wheels)!r} is not a folder of wheels")
    todo = [w for w in sorted(wheels.glob('*.whl')) if not _installed(_dist_of(w))]
    if not todo: return []
    site.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, '-m', 'pip', 'install', '-q', '--no-index', '--no-deps', '--no-compile', '--no-cache-dir',
           '--disable-pip-version-check', '--upgrade', '--target', str(site), *map(str, todo)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode: raise SystemExit(f"installing wheels from {wheels} failed:\n{r.stdout[-2000:]}{r.stderr[-2000:]}")
    log(f"installed from {wheels} into {site}: {', '.join(w.name for w in todo)}")
    return [w.name for w in todo]


def notebook_imports(nb:Path)->set:
    "The top-level modules that a notebook's `#| export` cells import (not molex_nb itself, not relative imports)."
    mods = set()
    for c in json.loads(nb.read_text())['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] != 'code' or not re.search(r'^#\|\s*export\b', src, re.M): continue
        for m in re.finditer(r'^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w., ]+))', src, re.M):
            names = [m.group(1)] if m.group(1) else [x.strip().split(' ')[0] for x in m.group(2).split(',')]
            mods |= {n.split('.')[0] for n in names if n and not n.startswith('.')}
    return mods - {'molex_nb', '__future__'}


def cuda_notebooks(with_skipped:bool=False):
    "The notebooks (relative to the checkout) with at least one `#| cuda` cell whose library imports all exist here; with_skipped: also {notebook: missing modules}."
    out, skipped = [], {}
    for nb in sorted((ROOT / 'nbs').glob('*.ipynb')):
        cells = json.loads(nb.read_text())['cells']
        if any(re.search(r'^#\|\s*cuda\b', ''.join(c['source']), re.M) for c in cells if c['cell_type'] == 'code'):
            miss = missing_modules(sorted(notebook_imports(nb)))
            if miss: skipped[str(nb.relative_to(ROOT))] = miss       # e.g. datasets on a machine without it: say so, do not fail
            else: out.append(str(nb.relative_to(ROOT)))
    return (out, skipped) if with_skipped else out


OPTIONAL = ('bench_compile_train', 'bench_compile_decode')   # run only when named in --stages: compiling takes minutes


def stages(out:Path)->list:
    "(name, command, share of the time limit) of every stage, in order; time a stage leaves unused goes to the later ones."
    py = sys.executable
    bench = [py, '-c', BENCH]
    return [
        ('cuda_cells', [py, '-m', 'pytest', *cuda_notebooks(), '-v', '-p', 'no:cacheprovider', '--flags', 'cuda', '--durations=0'], 0.32),
        ('bench_eager', [*bench, '--out', str(out / 'bench_eager.json'), '--scale', 'paper', '--warmup', '3', '--repeats', '8',
                         '--new-tokens', '32'], 0.43),
        ('bench_compile_infer', [*bench, '--out', str(out / 'bench_compile_infer.json'), '--scale', 'paper', '--cases', COMPILE_CASE,
                                 '--phases', 'infer', '--impls', 'lora,fast', '--compile', 'reduce-overhead',
                                 '--warmup', '3', '--repeats', '10'], 0.25),
        ('proxies', [*bench, '--out', str(out / 'bench_proxies_gpu.json'), '--proxies', '--scale', 'paper', '--cases', COMPILE_CASE], 0.2),
        ('bench_compile_train', [*bench, '--out', str(out / 'bench_compile_train.json'), '--scale', 'paper', '--cases', COMPILE_CASE,
                                 '--phases', 'train', '--impls', 'lora,fast', '--no-recompute', '--compile', 'reduce-overhead',
                                 '--warmup', '3', '--repeats', '10'], 0.25),
        ('bench_compile_decode', [*bench, '--out', str(out / 'bench_compile_decode.json'), '--scale', 'paper', '--cases', DECODE_CASE,
                                  '--phases', 'decode', '--impls', 'lora,naive,fast', '--compile', 'reduce-overhead',
                                  '--new-tokens', '32', '--warmup', '2', '--repeats', '5'], 0.25),
    ]


def _versions(env)->dict:
    code = ("import json, platform, torch, transformers, peft, accelerate; print(json.dumps(dict(python=platform.python_version(), "
            "torch=torch.__version__, transformers=transformers.__version__, peft=peft.__version__, accelerate=accelerate.__version__, "
            "cuda=torch.cuda.is_available(), device=torch.cuda.get_device_name() if torch.cuda.is_available() else None)))")
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env)
    return json.loads(r.stdout) if r.returncode == 0 else dict(error=r.stderr[-1000:])


def parse(argv=None):
    p = argparse.ArgumentParser(prog='.ci/gpu-check', description=__doc__.split('\n\n')[0])
    p.add_argument('outdir', help='folder for the results: new or empty')
    p.add_argument('--wheels', default=None, help="folder of wheels for a missing test harness (default: .whl in the checkout, if there)")
    p.add_argument('--site', default=None, help='where wheels are installed (default: a folder under the system temp dir)')
    p.add_argument('--time-limit', type=float, default=465, help='seconds for all stages together (default 465: under 8 minutes with the setup)')
    p.add_argument('--stages', default=None, help=f'these stages, separated by commas (default: all but {", ".join(OPTIONAL)})')
    p.add_argument('--dry-run', action='store_true', help='set up and write summary.json with the stages, but run none (no GPU needed)')
    a = p.parse_args(argv)
    out = Path(a.outdir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        p.error(f"OUTDIR={a.outdir!r} exists and is not an empty folder; give a new or empty folder")
    if not a.time_limit > 0: p.error(f"--time-limit={a.time_limit!r} must be a number of seconds > 0")
    if a.wheels is not None and not Path(a.wheels).is_dir(): p.error(f"--wheels={a.wheels!r} is not a folder")
    return a


def main(argv=None)->int:
    a = parse(argv)
    t_start = time.time()
    out = Path(a.outdir); out.mkdir(parents=True, exist_ok=True)
    logf = open(out / 'gpu-check.log', 'w')
    def log(s):
        print(s, flush=True); logf.write(s + '\n'); logf.flush()
    miss_rt = missing_modules(RUNTIME)
    if miss_rt: raise SystemExit(f"this machine lacks {miss_rt}: install torch, transformers, peft, accelerate first (they are not carried as wheels)")
    site = Path(a.site) if a.site else Path(tempfile.gettempdir()) / 'molex_gpu_site'
    wheels = Path(a.wheels) if a.wheels else (ROOT / '.whl' if (ROOT / '.whl').is_dir() else None)
    installed, miss = [], missing_modules(HARNESS)
    if miss:
        if wheels is None:
            raise SystemExit(f"the test harness is missing ({', '.join(miss)}) and there is no folder of wheels: run "
                             f"`.ci/gpu-wheels .whl` on a machine with PyPI, carry .whl, or pass --wheels DIR")
        installed = install_wheels(wheels, site, log)
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join(p for p in (str(site) if installed or site.is_dir() else '', str(ROOT),
                                                                     os.environ.get('PYTHONPATH', '')) if p),
           'HF_HUB_OFFLINE': '1', 'MPLBACKEND': 'Agg', 'PYTHONUNBUFFERED': '1', 'TOKENIZERS_PARALLELISM': 'false'}
    still = subprocess.run([sys.executable, '-c', f"import importlib.util as u; print([m for m in {list(HARNESS)!r} if u.find_spec(m) is None])"],
                           capture_output=True, text=True, env=env).stdout.strip()
    if still not in ('', '[]'): raise SystemExit(f"still missing after installing the wheels: {still}; add their wheels to {wheels}")
    summary = dict(started=time.strftime('%Y-%m-%d %H:%M:%S %Z'), host=platform.node(), versions=_versions(env),
                   checkout=str(ROOT), wheels=str(wheels) if wheels else None, installed_wheels=installed,
                   time_limit_s=a.time_limit, dry_run=a.dry_run, stages=[],
                   skipped_notebooks=cuda_notebooks(with_skipped=True)[1])   # their cuda cells need a module this machine lacks
    for nb, miss in summary['skipped_notebooks'].items(): log(f"skipped {nb}: this machine lacks {miss}")
    if not a.dry_run and not summary['versions'].get('cuda'):
        raise SystemExit("no CUDA device is visible to torch here: run .ci/gpu-check on a GPU machine (or --dry-run)")
    plan = stages(out)
    if not a.stages: plan = [st for st in plan if st[0] not in OPTIONAL]
    if a.stages:
        names = [n for n, _, _ in plan]
        bad = [x for x in a.stages.split(',') if x not in names]
        if bad: raise SystemExit(f"--stages={a.stages!r}: {bad} are not stages; the stages are {names}")
        plan = [st for st in plan if st[0] in a.stages.split(',')]
    deadline = t_start + a.time_limit
    for i, (name, cmd, share) in enumerate(plan):
        left = deadline - time.time()
        later = sum(s for _, _, s in plan[i + 1:])
        budget = left if not later else max(min(left, left * share / (share + later)), 0)   # unused time flows to later stages
        st = dict(name=name, command=' '.join(cmd), budget_s=round(budget, 1))
        summary['stages'].append(st)
        if a.dry_run: continue
        log(f"== {name} (up to {budget:.0f} s): {st['command']}")
        t0 = time.time()
        if budget < 5: st.update(rc=None, seconds=0, timed_out=True, note='no time left'); continue
        p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        import threading
        def pump():
            for line in p.stdout: log(line.rstrip('\n'))
        th = threading.Thread(target=pump, daemon=True); th.start()
        try: rc = p.wait(timeout=budget); timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9); rc = p.wait(); timed_out = True
        th.join(5)
        st.update(rc=rc, seconds=round(time.time() - t0, 1), timed_out=timed_out)
        log(f"== {name}: rc={rc} in {st['seconds']} s{' (timed out)' if timed_out else ''}")
    summary['seconds'] = round(time.time() - t_start, 1)
    (out / 'summary.json').write_text(json.dumps(summary, indent=1))
    logf.close()
    failed = [s['name'] for s in summary['stages'] if s.get('rc') not in (0, None) or s.get('timed_out')]
    print(f"gpu-check: {'dry run, ' if a.dry_run else ''}{len(plan)} stages, {summary['seconds']} s; "
          f"{'failed or timed out: ' + ', '.join(failed) if failed else 'all passed'}; results in {out}")
    return 1 if failed else 0


if __name__ == '__main__': sys.exit(main())
