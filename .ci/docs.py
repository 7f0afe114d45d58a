"""Build the docs site from the notebooks into _docs/.

With Quarto installed this is `nbdev_docs`. Without it (the development machines), nbdev's own processing
(`proc_nbs`: show_doc, hidden cells, directives) writes _proc/, the pinned pure-Python renderer smalldocs
renders the same _quarto.yml, and the maths is converted to MathML (latex2mathml) so that it renders with
no network access. `--check` then verifies the site: one page per notebook, API signatures, maths, no
remote scripts, styles or fonts, no Markdown shown raw; where Chromium is installed it also lays every page out (1280 px
wide) and checks that each display equation fits the text column and no figure is shrunk below 40% (tiny fonts).
"""
import html, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / '_docs'
MATH = re.compile(r'\\\[(.+?)\\\]|\\\((.+?)\\\)', re.S)
SKIP = re.compile(r'(<pre\b.*?</pre>|<code\b.*?</code>|<script\b.*?</script>|<style\b.*?</style>)', re.S)
REMOTE = re.compile(r'<(?:script|link)\b[^>]*(?:src|href)="https?://[^"]*"[^>]*>(?:</script>)?')
REMOTE_CSS = re.compile(r'@import\s+url\(\s*[\'"]?https?://[^)]*\)\s*;?|@import\s+[\'"]https?://[^\'"]*[\'"]\s*;?|url\(\s*[\'"]?https?://[^)]*\)')   # a remote font or sheet in CSS
OPNAME = re.compile(r'\\operatorname\{([^}]*)\}')
SPACES = re.compile(r'\\[,;:! ]')
HREF = re.compile(r'\bhref="([^"]*)"')


def _settings()->dict:
    import configparser
    c = configparser.ConfigParser(); c.read(ROOT / 'settings.ini')
    return dict(c['DEFAULT'])


def _site()->str:
    s = _settings()
    return s['doc_host'].rstrip('/') + '/' + s['doc_baseurl'].strip('/')


def _pages_of_modules()->dict:
    "module name -> the page its notebook renders to (nbdev links `name` to MODULE.html; this build names pages after the notebooks)."
    out = {}
    for nb in (ROOT / 'nbs').glob('*.ipynb'):
        m = re.search(r'#\|\s*default_exp\s+(\S+)', nb.read_text())
        if m: out[m.group(1).replace('\\n', '').strip('"')] = nb.stem + '.html'
    return out


def fix_links(page:str)->str:
    "nbdev's API links point at SITE/MODULE.html#name; here MODULE's page is NN_MODULE.html: link to it, relatively."
    site, pages = _site(), _pages_of_modules()
    def sub(m):
        url = m.group(1)
        if url.startswith(site + '/'):
            path, _, anchor = url[len(site) + 1:].partition('#')
            mod = path[:-len('.html')] if path.endswith('.html') else path
            if mod in pages: return f'href="{pages[mod]}{"#" + anchor if anchor else ""}"'
        return m.group(0)
    return HREF.sub(sub, page)


def md_links_as_text(page:str)->str:
    "A docments comment of a signature is code, so nbdev's Markdown link to an API entry ([`name`](SITE/module.html#name)) shows raw there: keep the name."
    return re.sub(r'\[(`[^`\]]+`)\]\(' + re.escape(_site()) + r'/[^)\s]*\)', r'\1', page)


def broken_links()->list:
    "Every link of the site to a page or an anchor that the build does not produce, or to a source line that does not exist."
    s = _settings()
    site, blob = _site(), s['git_url'].rstrip('/') + f"/blob/{s['branch']}/"
    ids = {f.name: set(re.findall(r'\bid="([^"]*)"', f.read_text())) for f in DOCS.glob('*.html')}
    bad = []
    for f in sorted(DOCS.glob('*.html')):
        for url in HREF.findall(f.read_text()):
            url = html.unescape(url)
            if url.startswith(site): bad.append(f"{f.name}: {url} (a page of the published site, not of this build)"); continue
            if url.startswith(blob):
                path, _, line = url[len(blob):].partition('#L')
                src = ROOT / path
                if not src.is_file(): bad.append(f"{f.name}: {url} (no file {path})")
                elif line and int(line) > len(src.read_text().splitlines()): bad.append(f"{f.name}: {url} ({path} has fewer lines)")
                continue
            if re.match(r'^[a-z]+:', url) or url.startswith(('site_libs/', '//')): continue   # other sites, mail: not checked offline
            target, _, anchor = url.partition('#')
            target = target or f.name
            if target.endswith('.html'):
                if target not in ids: bad.append(f"{f.name}: {url} (no page {target})")
                elif anchor and anchor not in ids[target]: bad.append(f"{f.name}: {url} (no anchor #{anchor} in {target})")
            elif not (DOCS / target).exists(): bad.append(f"{f.name}: {url} (no file {target})")
    return bad


def to_mathml(page:str, name:str)->tuple:
    "Replace \\(..\\) and \\[..\\] outside code with MathML; return the page and the number of formulas."
    from latex2mathml.converter import convert
    n, bad = 0, []
    def sub(m):
        nonlocal n
        tex, display = (m.group(1), True) if m.group(1) is not None else (m.group(2), False)
        tex = html.unescape(tex).replace(r'\tag', r'\qquad\text').strip()
        names = {SPACES.sub('', m.group(1)): SPACES.sub('&#x2009;', m.group(1)) for m in OPNAME.finditer(tex)}   # arg\,max -> argmax
        tex = OPNAME.sub(lambda m: r'\operatorname{' + SPACES.sub('', m.group(1)) + '}', tex)
        tex = re.sub(r'\\qquad\\text\{(\w+)\}', r'\\qquad\\text{(\1)}', tex)
        try: out = convert(tex, display='block' if display else 'inline')
        except Exception as e: bad.append(f"{name}: {tex[:80]!r}: {e}"); return m.group(0)
        if '\\' in out: bad.append(f"{name}: {tex[:80]!r}: a command latex2mathml does not know is left as text")
        if '<mo />' in out: bad.append(f"{name}: {tex[:80]!r}: an operator latex2mathml left empty")
        for plain, spaced in names.items(): out = out.replace(f'<mo>{plain}</mo>', f'<mo>{spaced}</mo>')
        n += 1
        return out
    parts = SKIP.split(page)
    parts = [p if SKIP.fullmatch(p) else MATH.sub(sub, p) for p in parts]
    if bad: raise SystemExit("maths that latex2mathml cannot convert:\n" + '\n'.join(bad))
    return ''.join(parts), n


def build():
    if shutil.which('quarto'):
        subprocess.run(['nbdev_docs'], cwd=ROOT, check=True); return
    from nbdev.serve import proc_nbs
    proc = ROOT / '_proc'
    shutil.rmtree(proc, ignore_errors=True)
    proc_nbs(path=str(ROOT / 'nbs'), n_workers=1, force=True)
    (proc / '_quarto.yml').unlink(missing_ok=True)
    shutil.copy(ROOT / '_quarto.yml', proc / '_quarto.yml')              # the one real _quarto.yml
    for junk in proc.iterdir():                                          # nbdev copies everything in nbs/
        if junk.is_file() and junk.suffix not in ('.ipynb', '.yml', '.css', '.md', '.qmd', '.png'): junk.unlink()
    subprocess.run([sys.executable, '-c', 'import sys; from smalldocs.cli import main; sys.exit(main())', 'render', str(proc)], check=True)
    shutil.rmtree(DOCS, ignore_errors=True)
    shutil.move(str(proc / '_docs'), str(DOCS))
    total = 0
    for f in DOCS.glob('*.html'):
        page, n = to_mathml(f.read_text(), f.name)
        page = REMOTE.sub('', page)                                       # KaTeX from a CDN is not needed any more
        page = REMOTE_CSS.sub('', page)
        page = md_links_as_text(fix_links(page))
        f.write_text(page); total += n
    for f in DOCS.rglob('*.css'): f.write_text(REMOTE_CSS.sub('', f.read_text()))   # the theme's web font: the next font of its stack is used
    print(f"built {DOCS} with {total} formulas as MathML")


MEASURE_JS = """<script>window.addEventListener('load', () => { setTimeout(() => {
  const out = [];
  document.querySelectorAll('math[display="block"]').forEach(m => {
    const col = m.closest('main') || document.body;
    out.push({kind: 'math', w: Math.round(m.scrollWidth), col: Math.round(col.clientWidth), text: m.textContent.slice(0, 50)}); });
  document.querySelectorAll('main img').forEach(m => out.push({kind: 'img', w: m.naturalWidth, shown: Math.round(m.getBoundingClientRect().width)}));
  const p = document.createElement('pre'); p.id = 'molex-measure'; p.textContent = JSON.stringify(out); document.body.appendChild(p); }, 300); });</script>"""


def measure()->tuple:
    "Lay every page out in headless Chromium (1280 px wide): (problems, what was measured); ([], None) without Chromium."
    import json
    exe = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    if exe is None: return [], None
    problems, n_math, n_img = [], 0, 0
    for page in sorted(DOCS.glob('*.html')):
        tmp = page.with_name('_measure_' + page.name)
        tmp.write_text(page.read_text().replace('</body>', MEASURE_JS + '</body>'))
        try:
            r = subprocess.run([exe, '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                                '--disable-sync', '--no-first-run', '--window-size=1280,900', '--virtual-time-budget=3000', '--dump-dom',
                                tmp.resolve().as_uri()], capture_output=True, text=True, timeout=120)
        finally: tmp.unlink()
        m = re.search(r'<pre id="molex-measure">(.*?)</pre>', r.stdout, re.S)
        if not m: problems.append(f"{page.name}: Chromium did not lay the page out ({r.stderr.strip()[-200:]})"); continue
        for x in json.loads(html.unescape(m.group(1))):
            if x['kind'] == 'math':
                n_math += 1
                if x['w'] > x['col']: problems.append(f"{page.name}: a display equation is {x['w']} px wide in a {x['col']} px column: {x['text']!r}")
            elif x['w']:
                n_img += 1
                if x['shown'] < 0.4 * x['w']: problems.append(f"{page.name}: a figure of {x['w']} px is shown at {x['shown']} px (its text becomes tiny)")
    return problems, f"{n_math} display equations and {n_img} figures laid out in {Path(exe).name}"


def check():
    "The docs check: every notebook is a page with its title, signatures of its exports, maths, figures, nothing remote."
    import json
    nbs = sorted((ROOT / 'nbs').glob('*.ipynb'))
    problems = []
    for nb in nbs:
        page = DOCS / (nb.stem + '.html')
        if not page.exists(): problems.append(f"no page for {nb.name}"); continue
        text = page.read_text()
        cells = json.loads(nb.read_text())['cells']
        title = next((''.join(c['source']).split('\n')[0].lstrip('# ') for c in cells if c['cell_type'] == 'markdown'), '')
        if html.escape(title, quote=False) not in text: problems.append(f"{page.name}: title {title!r} missing")
        exported = [re.match(r'(?:def|class) (\w+)', l).group(1) for c in cells if c['cell_type'] == 'code'
                    and '#| export' in ''.join(c['source']) for l in ''.join(c['source']).splitlines()
                    if re.match(r'(?:def|class) [A-Za-z]\w*', l)]
        for name in exported:
            if f'id="{name.lower()}"' not in text: problems.append(f"{page.name}: no API entry for {name}")
        if '$' in ''.join(''.join(c['source']) for c in cells if c['cell_type'] == 'markdown') and '<math' not in text:
            problems.append(f"{page.name}: maths not rendered")
        n_figs = sum('image/png' in o.get('data', {}) for c in cells if c['cell_type'] == 'code' for o in c.get('outputs', []))
        if text.count('<img') < n_figs: problems.append(f"{page.name}: {n_figs} figures in the notebook, {text.count('<img')} in the page")
        if REMOTE.search(text) or REMOTE_CSS.search(text): problems.append(f"{page.name}: loads a remote script or style")
        raw = re.findall(r'\[`[^`\]]+`\]\([^)\s]+\)', text)
        if raw: problems.append(f"{page.name}: Markdown links shown as text: {raw[:3]}")
        if re.search(r'<mo\s*/>', text): problems.append(f"{page.name}: an empty operator in the maths")
        if re.search(r'\\\(|\\\[', SKIP.sub('', text)): problems.append(f"{page.name}: unconverted maths")
    problems += [f"{f.relative_to(DOCS)}: loads a remote font or style" for f in DOCS.rglob('*.css') if REMOTE_CSS.search(f.read_text())]
    problems += broken_links()
    laid_out, measured = measure()
    problems += laid_out
    if problems: raise SystemExit('docs check failed:\n' + '\n'.join(problems))
    print(f"docs check: {len(nbs)} pages OK; " + (measured or "no Chromium here: widths not measured"))


if __name__ == '__main__':
    if '--check-only' not in sys.argv: build()
    if '--check' in sys.argv or '--check-only' in sys.argv: check()
