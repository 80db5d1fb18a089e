#!/usr/bin/env python3
"""The PyTorch + PEFT peer of `ko-llama bench train`: LoRA training steps on a random LLaMA.

Builds a randomly initialised fp32 LlamaForCausalLM (transformers), wraps it with a PEFT LoRA
adapter (r, alpha = 2 r, dropout 0, on the seven projections; with `--train-embeddings all` the
embedding and the head are trainable as `modules_to_save`, tied through `ensure_weight_tying` when
the shape ties them), and times full training steps on seeded random token batches: forward with
labels (transformers' causal-LM loss), backward, clip_grad_norm_ 1.0, AdamW lr 2e-4, zero_grad.

Prints one JSON line. `tokens_per_s` = batch * seq_len * steps / time of the timed steps (after
`--warmup-steps`), `step_s_median` the median timed step, `peak_rss_mb` the process's maxrss,
`loss_first` the loss of the very first step (warmup included, i.e. at initialisation) and
`loss_last` that of the last timed step.

usage: python3 scripts/bench-train-torch.py [--config tiny|small] [--vocab-size N] [--steps N] ...
"""
import argparse, json, resource, statistics, time, warnings

import peft
import torch
import transformers
from peft import LoraConfig, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]

# tiny: the NOTES.md baseline shape; small: SmolLM2-135M.
SHAPES = {
    "tiny": dict(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=4,
                 intermediate_size=688, tie_word_embeddings=False, rope_theta=10000.0, rms_norm_eps=1e-5,
                 vocab_size=32000),
    "small": dict(hidden_size=576, num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
                  intermediate_size=1536, tie_word_embeddings=True, rope_theta=100000.0, rms_norm_eps=1e-5,
                  vocab_size=49152),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--config", choices=sorted(SHAPES), default="tiny")
    p.add_argument("--vocab-size", type=int, help="default: 32000 (tiny), 49152 (small)")
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--seq-len", type=int, default=256)
    p.add_argument("--steps", type=int, default=10, help="timed steps")
    p.add_argument("--warmup-steps", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lora-r", type=int, default=8)
    p.add_argument("--train-embeddings", choices=["all", "none"], default="all")
    p.add_argument("--attn", choices=["sdpa", "eager"], default="sdpa")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    for name in ("batch", "seq_len", "steps", "threads", "lora_r"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if a.warmup_steps < 0:
        p.error("--warmup-steps must not be negative")
    return a


def build_model(a):
    shape = dict(SHAPES[a.config])
    if a.vocab_size is not None:
        if a.vocab_size < 2:
            raise SystemExit("--vocab-size must be at least 2")
        shape["vocab_size"] = a.vocab_size
    theta = shape.pop("rope_theta")
    cfg = LlamaConfig(**shape, rope_parameters={"rope_type": "default", "rope_theta": theta},
                      max_position_embeddings=max(a.seq_len, 2048), use_cache=False, attn_implementation=a.attn)
    model = LlamaForCausalLM(cfg).to(torch.float32)
    extra = {}
    if a.train_embeddings == "all":
        if cfg.tie_word_embeddings:
            extra = dict(modules_to_save=["embed_tokens"], ensure_weight_tying=True)
        else:
            extra = dict(modules_to_save=["embed_tokens", "lm_head"])
    lora = LoraConfig(r=a.lora_r, lora_alpha=2 * a.lora_r, lora_dropout=0.0, bias="none",
                      target_modules=PROJECTIONS, task_type="CAUSAL_LM", **extra)
    return cfg, get_peft_model(model, lora)


def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
    cfg, model = build_model(a)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-4)
    gen = torch.Generator().manual_seed(a.seed + 1)

    losses, times = [], []
    for step in range(a.warmup_steps + a.steps):
        ids = torch.randint(0, cfg.vocab_size, (a.batch, a.seq_len), generator=gen)
        start = time.perf_counter()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, max_norm=1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        elapsed = time.perf_counter() - start
        losses.append(loss.item())
        if step >= a.warmup_steps:
            times.append(elapsed)

    print(json.dumps({
        "tool": "pytorch+peft", "torch": torch.__version__, "transformers": transformers.__version__,
        "peft": peft.__version__, "threads": a.threads, "config": a.config, "vocab": cfg.vocab_size,
        "batch": a.batch, "seq_len": a.seq_len, "steps": a.steps, "warmup_steps": a.warmup_steps,
        "lora_r": a.lora_r, "train_embeddings": a.train_embeddings, "attn": a.attn,
        "trainable_params": sum(p.numel() for p in params),
        "tokens_per_s": round(a.batch * a.seq_len * a.steps / sum(times), 1),
        "step_s_median": round(statistics.median(times), 4),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "loss_first": round(losses[0], 5), "loss_last": round(losses[-1], 5),
    }))


if __name__ == "__main__":
    main()
