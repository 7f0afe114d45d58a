"""Peak RSS of decode_e2e on the longest E2E test prompts, with and without contiguous_head (notebook 09's measurement).
   python .ci/decode_memory.py MODEL E2E_DATA [--method lora|molex] [--batch 16] [--mrs 16] [--without-fix]"""
import argparse, contextlib, os, threading, time
os.environ.setdefault('HF_HUB_OFFLINE', '1')
import psutil, torch
from transformers import AutoTokenizer
import molex_nb.e2e as e2e
from molex_nb.train import causal_lm_model
ap = argparse.ArgumentParser()
ap.add_argument('model'); ap.add_argument('data')
ap.add_argument('--method', default='lora'); ap.add_argument('--batch', type=int, default=16); ap.add_argument('--mrs', type=int, default=16)
ap.add_argument('--without-fix', action='store_true', help='decode without contiguous_head (the behaviour before it)')
a = ap.parse_args()
torch.set_num_threads(1)
if a.without_fix: e2e.contiguous_head = lambda model: contextlib.nullcontext(model)
tok = AutoTokenizer.from_pretrained(a.model)
mrs = list(dict.fromkeys(e2e.load_e2e(a.data)['test']['mr']))
mrs = sorted(mrs, key=lambda m: -len(e2e.encode_e2e(tok, m)['input_ids']))[:a.mrs]
m = causal_lm_model(a.model, a.method, e2e.E2EPreset())
proc, peak = psutil.Process(), [0]
def watch():
    while True: peak[0] = max(peak[0], proc.memory_info().rss); time.sleep(0.01)
threading.Thread(target=watch, daemon=True).start()
before = proc.memory_info().rss
t0 = time.perf_counter(); e2e.decode_e2e(m, tok, mrs, a.batch, **e2e.E2EPreset().generate_kwargs()); dt = time.perf_counter() - t0
print(f"{a.method}, {len(mrs)} MRs in batches of {a.batch}, {'without' if a.without_fix else 'with'} contiguous_head, "
      f"weights {next(m.parameters()).dtype}: {dt:.0f} s, RSS before {before / 2**30:.2f} GiB, peak {peak[0] / 2**30:.2f} GiB")
