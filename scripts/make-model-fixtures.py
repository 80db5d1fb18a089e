#!/usr/bin/env python3
"""Writes the LLaMA + LoRA golden fixtures under Tests/Fixtures/model/<case>/.

Each case is a tiny random LlamaForCausalLM (transformers, fp32, eager attention) wrapped by a PEFT
LoRA adapter, plus one training step's worth of reference numbers: logits, loss, the gradient of
every trainable parameter, the pre-clipping gradient norm and the parameters after one clipped
AdamW step. The Swift trainer's parity tests load `model/` and `adapter/` and compare against
`golden.safetensors`. Tests/Fixtures/model/README.md describes every tensor.

Everything is seeded and runs on one CPU thread with deterministic algorithms, so rerunning the
script rewrites byte-identical files (for the same torch / transformers / peft versions).

usage: python3 scripts/make-model-fixtures.py
"""
import copy, json, os, shutil, warnings

import peft
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from peft.tuners.lora import LoraLayer
from safetensors.torch import load_file, save_file
from transformers import LlamaConfig, LlamaForCausalLM

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out_root = os.path.join(root, "Tests", "Fixtures", "model")

PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
LORA = dict(r=4, lora_alpha=8, lora_dropout=0.0, bias="none")
OPTIMIZER = dict(name="torch.optim.AdamW", lr=1e-2, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.01,
                 clip_grad_norm=1.0, weight_decay_applies_to="all trainable parameters")
BATCH, SEQ = 2, 16
NEW_ROWS = list(range(64, 96))

CASES = [
    # name, seed, LlamaConfig arguments, adapter kind
    ("gqa-tied", 1001,
     dict(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
          num_key_value_heads=2, rope_theta=10000.0, rms_norm_eps=1e-6, tie_word_embeddings=True),
     "modules_to_save"),
    ("mha-untied", 1002,
     dict(vocab_size=96, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
          num_key_value_heads=4, rope_theta=500000.0, rms_norm_eps=1e-5, tie_word_embeddings=False),
     "modules_to_save"),
    ("gqa-new-rows", 1003,
     dict(vocab_size=96, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
          num_key_value_heads=2, rope_theta=10000.0, rms_norm_eps=1e-6, tie_word_embeddings=False),
     "trainable_token_indices"),
]


def llama_config(args):
    args = dict(args)
    theta = args.pop("rope_theta")
    # transformers 5 keeps rope_theta inside rope_parameters (config.json has no top-level rope_theta).
    return LlamaConfig(**args, rope_parameters={"rope_type": "default", "rope_theta": theta},
                       max_position_embeddings=64, use_cache=False, attn_implementation="eager")


def lora_config(cfg, kind):
    if kind == "modules_to_save":
        # On a tied model, modules_to_save=["embed_tokens"] alone gives the lookup a trainable copy while
        # lm_head keeps using the frozen original; ensure_weight_tying=True makes lm_head use that same
        # copy (one Parameter, gradient = lookup + head), and PeftModel.from_pretrained re-ties it.
        if cfg.tie_word_embeddings:
            return LoraConfig(**LORA, target_modules=PROJECTIONS, modules_to_save=["embed_tokens"],
                              ensure_weight_tying=True, task_type="CAUSAL_LM")
        return LoraConfig(**LORA, target_modules=PROJECTIONS, modules_to_save=["embed_tokens", "lm_head"],
                          task_type="CAUSAL_LM")
    return LoraConfig(**LORA, target_modules=PROJECTIONS, task_type="CAUSAL_LM",
                      trainable_token_indices={"embed_tokens": NEW_ROWS, "lm_head": NEW_ROWS})


def saved_name(param_name):
    """The key a trainable parameter of the PEFT model has in adapter_model.safetensors."""
    for live, saved in ((".lora_A.default.weight", ".lora_A.weight"), (".lora_B.default.weight", ".lora_B.weight"),
                        (".modules_to_save.default.weight", ".weight"),
                        (".token_adapter.trainable_tokens_delta.default", ".token_adapter.trainable_tokens_delta")):
        if param_name.endswith(live):
            return param_name[: -len(live)] + saved
    raise ValueError(f"no saved name for trainable parameter {param_name}")


def trainable(model):
    return [(saved_name(n), p) for n, p in model.named_parameters() if p.requires_grad]


def perturb_adapter(model, gen):
    """lora_B ~ N(0, 0.02) so lora_A gets gradients; the embedding / head copies move off the base."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            if ".lora_B." in name:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.02)
            elif ".modules_to_save." in name or ".trainable_tokens_delta." in name:
                p.add_(torch.randn(p.shape, generator=gen) * 0.01)


def make_batch(vocab, gen):
    ids = torch.randint(0, vocab, (BATCH, SEQ), generator=gen)
    labels = ids.clone()
    labels[0, [5, 11]] = -100          # scattered masked targets
    labels[1, :6] = -100               # masked prefix (a prompt)
    return ids, labels


def causal_lm_loss(logits, labels):
    shift_logits = logits[:, :-1, :].reshape(-1, logits.shape[-1])
    shift_labels = labels[:, 1:].reshape(-1)
    return torch.nn.functional.cross_entropy(shift_logits, shift_labels, ignore_index=-100, reduction="mean")


def effective_embeddings(model):
    """The embedding and head matrices the PEFT model really uses (copies / rows spliced in)."""
    def weight(module):
        if hasattr(module, "modules_to_save"):
            return module.modules_to_save["default"].weight
        if hasattr(module, "token_adapter"):
            return module.token_adapter.get_merged_weights(["default"])
        return module.weight
    inner = model.base_model.model
    return weight(inner.model.embed_tokens), weight(inner.lm_head)


def plain_reference(model_dir, pm, ids, labels):
    """An independent check of the adapter semantics: a plain transformers model whose projections have
    LoRA merged in and whose embedding/head are the PEFT model's effective matrices, with those
    matrices as the only leaves that need a gradient."""
    plain = LlamaForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager")
    plain.requires_grad_(False)
    with torch.no_grad():
        for name, module in pm.named_modules():
            if isinstance(module, LoraLayer):
                target = plain.get_submodule(name.removeprefix("base_model.model."))
                target.weight.add_(module.get_delta_weight("default"))
        embed, head = (w.detach().clone() for w in effective_embeddings(pm))
    plain.model.embed_tokens.weight = torch.nn.Parameter(embed)
    if plain.config.tie_word_embeddings:
        plain.lm_head.weight = plain.model.embed_tokens.weight
    else:
        plain.lm_head.weight = torch.nn.Parameter(head)
    logits = plain(input_ids=ids).logits
    causal_lm_loss(logits, labels).backward()
    return logits.detach(), plain.model.embed_tokens.weight.grad, plain.lm_head.weight.grad


def check_close(what, a, b, atol):
    err = (a - b).abs().max().item()
    if err > atol:
        raise SystemExit(f"{what}: max abs difference {err:g} > {atol:g}")


def sort_adapter_config(path):
    """peft writes target_modules from a set, so its order follows PYTHONHASHSEED; sort it."""
    with open(path) as f:
        cfg = json.load(f)
    for key in ("target_modules", "modules_to_save"):
        if isinstance(cfg.get(key), list):
            cfg[key] = sorted(cfg[key])
    with open(path, "w") as f:
        f.write(json.dumps(cfg, indent=2, sort_keys=True))


def make_case(name, seed, args, kind):
    out = os.path.join(out_root, name)
    shutil.rmtree(out, ignore_errors=True)
    model_dir, adapter_dir = os.path.join(out, "model"), os.path.join(out, "adapter")
    cfg = llama_config(args)

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    base = LlamaForCausalLM(cfg).to(torch.float32)
    base.save_pretrained(model_dir, safe_serialization=True)
    os.remove(os.path.join(model_dir, "generation_config.json"))

    pm = get_peft_model(base, lora_config(cfg, kind))
    perturb_adapter(pm, gen)
    ids, labels = make_batch(cfg.vocab_size, gen)
    params = trainable(pm)

    pm.save_pretrained(adapter_dir, safe_serialization=True)
    os.remove(os.path.join(adapter_dir, "README.md"))  # peft's model card: boilerplate, not needed to load
    sort_adapter_config(os.path.join(adapter_dir, "adapter_config.json"))
    saved_keys = set(load_file(os.path.join(adapter_dir, "adapter_model.safetensors")))
    missing = [k for k, _ in params if k not in saved_keys]
    if missing:
        raise SystemExit(f"{name}: trainable parameters not in the saved adapter: {missing}")
    untrainable_saved = sorted(saved_keys - {k for k, _ in params})

    pm.train()
    result = pm(input_ids=ids, labels=labels)
    logits, loss = result.logits.detach().clone(), result.loss
    check_close(f"{name} loss vs shift-by-one mean", loss.detach(), causal_lm_loss(logits, labels), 1e-6)
    loss.backward()
    grads = {k: p.grad.detach().clone() for k, p in params}

    ref_logits, ref_embed_grad, ref_head_grad = plain_reference(model_dir, pm, ids, labels)
    check_close(f"{name} logits vs merged plain model", logits, ref_logits, 1e-5)
    embed_key = next(k for k in grads if "embed_tokens" in k)
    if kind == "trainable_token_indices":
        head_key = next(k for k in grads if "lm_head" in k)
        check_close(f"{name} embed delta grad", grads[embed_key], ref_embed_grad[NEW_ROWS], 1e-5)
        check_close(f"{name} head delta grad", grads[head_key], ref_head_grad[NEW_ROWS], 1e-5)
    elif cfg.tie_word_embeddings:
        # One tied leaf in the plain model: its gradient is the lookup's plus the head's.
        if any("lm_head" in k for k in grads):
            raise SystemExit(f"{name}: tied model has a separate trainable lm_head")
        check_close(f"{name} tied embed grad", grads[embed_key], ref_embed_grad, 1e-5)
    else:
        head_key = next(k for k in grads if "lm_head" in k)
        check_close(f"{name} embed grad", grads[embed_key], ref_embed_grad, 1e-5)
        check_close(f"{name} head grad", grads[head_key], ref_head_grad, 1e-5)

    leaves = [p for _, p in params]
    grad_norm = torch.nn.utils.clip_grad_norm_(leaves, max_norm=OPTIMIZER["clip_grad_norm"])
    opt = torch.optim.AdamW(leaves, lr=OPTIMIZER["lr"], betas=tuple(OPTIMIZER["betas"]), eps=OPTIMIZER["eps"],
                            weight_decay=OPTIMIZER["weight_decay"])
    opt.step()

    golden = {"input_ids": ids.float(), "labels": labels.float(), "logits": logits,
              "loss": loss.detach().reshape(1), "grad_norm": grad_norm.detach().reshape(1).float()}
    for k, p in params:
        golden[k + ".grad"] = grads[k]
        golden[k + ".after_step"] = p.detach().clone()
    save_file({k: v.contiguous().float() for k, v in golden.items()}, os.path.join(out, "golden.safetensors"))

    # The saved files must reproduce the run: reload both through transformers + peft and compare.
    base2 = LlamaForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="eager")
    pm2 = PeftModel.from_pretrained(base2, adapter_dir, is_trainable=True)
    check_close(f"{name} reloaded logits", pm2(input_ids=ids).logits.detach(), logits, 1e-6)
    reloaded = trainable(pm2)
    if [k for k, _ in reloaded] != [k for k, _ in params]:
        raise SystemExit(f"{name}: reloaded trainable parameters differ")
    if cfg.tie_word_embeddings:
        e, h = pm2.base_model.model.model.embed_tokens, pm2.base_model.model.lm_head
        if e.modules_to_save["default"].weight is not h.modules_to_save["default"].weight:
            raise SystemExit(f"{name}: reloaded head is not tied to the trainable embedding copy")

    case = {
        "case": name,
        "seed": seed,
        "config": {**args, "head_dim": cfg.hidden_size // cfg.num_attention_heads, "hidden_act": cfg.hidden_act,
                   "attention_bias": False, "mlp_bias": False, "attn_implementation": "eager", "dtype": "float32"},
        "lora": {**LORA, "target_modules": PROJECTIONS, "scaling": LORA["lora_alpha"] / LORA["r"],
                 "peft_config": {"modules_to_save": pm.peft_config["default"].modules_to_save,
                                 "ensure_weight_tying": pm.peft_config["default"].ensure_weight_tying,
                                 "trainable_token_indices": pm.peft_config["default"].trainable_token_indices}},
        "optimizer": OPTIMIZER,
        "batch": {"batch": BATCH, "seq_len": SEQ, "masked_labels": [[int(b), int(t)] for b, t in
                                                                     (labels == -100).nonzero().tolist()]},
        "loss": "transformers ForCausalLM: logits[:, :-1] vs labels[:, 1:], mean over labels != -100",
        "trainable_keys": [k for k, _ in params],
        "trainable_shapes": {k: list(p.shape) for k, p in params},
        "saved_but_not_trainable": untrainable_saved,
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__, "peft": peft.__version__},
    }
    with open(os.path.join(out, "case.json"), "w") as f:
        f.write(json.dumps(case, indent=2) + "\n")
    print(f"{name}: loss {loss.item():.6f} grad_norm {grad_norm.item():.6f} trainable {len(params)} "
          f"golden {os.path.getsize(os.path.join(out, 'golden.safetensors'))} bytes")


def main():
    torch.set_num_threads(1)
    transformers.utils.logging.disable_progress_bar()
    torch.use_deterministic_algorithms(True)
    warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*")
    os.makedirs(out_root, exist_ok=True)
    for case in CASES:
        make_case(*case)


if __name__ == "__main__":
    main()
