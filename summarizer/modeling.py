"""Load any seq2seq checkpoint safely, once, and generate with it.

Safetensors only and never `trust_remote_code`: a recap tool must not execute code or unpickle
weights it was handed. The default is the embedded model under `models/`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ModelError
from .perspective import SPEAKER_VIEWS
from .wordcheck import Lexicon

if TYPE_CHECKING:
    from .learned_salience import SalienceModel

DEFAULT_MODEL_NAME = "recap-minilm"
_REPO_MODELS = Path(__file__).resolve().parents[1] / "models"


def default_model_path() -> Path:
    """`$RECAP_MODEL`, else `models/recap-minilm` next to the package (the embedded default)."""
    env = os.environ.get("RECAP_MODEL")
    return Path(env) if env else _REPO_MODELS / DEFAULT_MODEL_NAME


# Beam search stops early: the default model writes ~3/4 of the length it is asked for, which costs recall
# (samsum/dev, 120 events: R-2 10.75 -> 11.89 with this floor; models/recap-minilm/README.md).
DEFAULT_MIN_RATIO = 0.8


@dataclass(frozen=True)
class GenerationSettings:
    """What `generate` is told; lengths are in words and converted to tokens per model."""

    num_beams: int = 4
    min_words: int = 0
    max_words: int | None = None          # None: chosen from the event's size
    min_ratio: float = DEFAULT_MIN_RATIO  # floor as a share of each event's own budget (see generate_texts)
    no_repeat_ngram_size: int = 3
    length_penalty: float = 1.0
    repetition_penalty: float = 1.0
    seed: int = 0
    batch_size: int = 8
    full_vocab: bool = False              # score every token, not only the model's target vocabulary + sources

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_ratio <= 1.0:
            raise ValueError(f"min_ratio must be between 0 and 1, got {self.min_ratio}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class LoadedModel:
    _model: Any  # the seq2seq weights; None until first use when loaded lazily (see `model`)
    tokenizer: Any
    name: str
    path: str | None
    max_source_tokens: int
    uncased: bool
    extra: dict[str, Any] = field(default_factory=dict)
    dtype: str = "float32"
    target_vocab: frozenset[int] | None = None  # summarizer.vocab: the tokens its training targets used
    salience: SalienceModel | None = None  # summarizer.learned_salience: how its extractive recap ranks sentences
    _sha: str | None = None
    _vocab_id: str | None = None
    _loader: Callable[[], Any] | None = None

    @property
    def model(self) -> Any:
        """The seq2seq weights, loaded on first use when `load_model(lazy=True)`: an extractive recap (a broadcast
        stream under `--writer auto`) needs only the tokenizer and the learned salience, and loading the weights is
        most of a one-event run's start-up."""
        if self._model is None:
            if self._loader is None:
                raise ModelError(f"{self.name}: no weights to load")
            self._model, self._loader = self._loader(), None
        return self._model

    @property
    def weights_loaded(self) -> bool:
        return self._model is not None

    @property
    def sha256(self) -> str | None:
        """sha256 of the weights file(s) (the learned salience's included), computed once, for manifests and resume
        keys."""
        if self._sha is None and self.path:
            files = sorted(Path(self.path).glob("*.safetensors"))
            h = hashlib.sha256()
            for f in files:
                with open(f, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
            self._sha = h.hexdigest() if files else None
        return self._sha

    @property
    def vocab_id(self) -> str | None:
        """Size and digest of the target vocabulary, for manifests and resume keys (it changes the output)."""
        if self._vocab_id is None and self.target_vocab:
            digest = hashlib.sha256(json.dumps(sorted(self.target_vocab)).encode()).hexdigest()[:16]
            self._vocab_id = f"{len(self.target_vocab)}:{digest}"
        return self._vocab_id

    @property
    def max_words(self) -> int | None:
        """The longest recap the model was trained to write (from recap_config.json), or None when unknown.

        Past it a model trained on truncated targets never emits end-of-sequence: it runs to the token
        limit (slow) and drifts (unfaithful), so automatic lengths stay below it."""
        tokens = self.extra.get("max_target_tokens")
        return writable_words(int(tokens)) if tokens else None

    @property
    def writes(self) -> tuple[str, ...] | None:
        """The stream kinds the model was shown to recap well (recap_config.json "writes"), or None: all kinds.

        Under `--writer auto` other kinds get the extractive recap: a model trained on chats that writes word
        salad on match commentary should not be the default there."""
        kinds = self.extra.get("writes")
        return tuple(kinds) if kinds else None

    @property
    def speaker_view(self) -> str:
        """How the model was trained to read a chat's speakers (recap_config.json "speaker_view";
        `summarizer.perspective`): "as_written" unless it says otherwise."""
        return self.extra.get("speaker_view") or "as_written"

    @functools.cached_property
    def lexicon(self) -> Lexicon:
        """The tokenizer's vocabulary as words (`summarizer.wordcheck`): what the guard calls a made-up word."""
        return Lexicon(self.tokenizer)

    def count_tokens(self, texts) -> list[int]:
        from .inputs import tokenizer_counter

        return tokenizer_counter(self.tokenizer)(texts)


def writable_words(target_tokens: int) -> int:
    """Words a model trained on `target_tokens`-token targets writes in one go (~1.4 tokens a word, plus end of
    sequence): `LoadedModel.max_words`, and the cap of the extract targets `scripts/train.py` builds."""
    return max(15, int((target_tokens - 4) / 1.4))


DTYPES = ("float32", "bfloat16", "float16", "int8", "auto")


def native_bf16() -> bool:
    """Whether this CPU computes bf16 natively (AVX512-BF16 or AMX).

    With those instructions bf16 trained 1.4x and generated 1.5-1.8x faster than float32; without them the same
    bf16 work ran 15x slower (models/recap-minilm/README.md), so bf16 is only ever chosen where it pays."""
    import torch

    cpu = torch.cpu
    return any(bool(getattr(cpu, f, lambda: False)()) for f in ("_is_avx512_bf16_supported", "_is_amx_tile_supported"))


def x86_int8() -> bool:
    """Whether torch quantises with its x86 engine here (fbgemm/oneDNN kernels), the one int8 was measured on, and
    still has the eager `quantize_dynamic` (deprecated in favour of torchao; a torch without it gets no int8)."""
    import torch

    return (torch.backends.quantized.engine in ("x86", "fbgemm")
            and callable(getattr(getattr(torch.ao, "quantization", None), "quantize_dynamic", None)))


def resolve_dtype(dtype: str) -> str:
    """`auto` -> the fastest dtype that keeps quality on this CPU (generation runs on the CPU).

    int8 (`quantize_int8`: the decoder) where torch's x86 quantised kernels run: 0.49x float32's time and 0.62x
    bfloat16's on one 500-post recap, and the same ROUGE as float32 on samsum, tweetsumm and dialogsum test (model
    card, "Speed"). Elsewhere (ARM, where those kernels were never measured) bfloat16 where the CPU computes it natively,
    else float32. Other names pass through (checked by the caller)."""
    if dtype != "auto":
        return dtype
    if x86_int8():
        return "int8"
    return "bfloat16" if native_bf16() else "float32"


INT8_PARTS = ("decoder",)
_INT8_GETTERS = {"decoder": ("get_decoder", "get_output_embeddings"), "encoder": ("get_encoder",)}


def quantize_int8(model, parts: tuple[str, ...] = INT8_PARTS, per_row: bool = True):
    """Dynamic int8 quantisation of the Linear layers of `parts` (decoder: the decoder and the LM head; encoder), in
    place; one weight scale per output row, or per matrix with `per_row=False`.

    Why the decoder only: it runs once per output token and beam, bound by reading its weights, which int8 quarters
    (one 500-post recap at beam 4: 0.89 s vs 1.80 s in float32). The encoder runs once per event (0.06 s of it) and
    stays float32: quantising it too cost DialogSum 0.99 R-2 (p = 0.032), the decoder alone 0.04 (n.s.). Why per
    row: one scale per matrix cost 1.9 R-2 on samsum/dev. Model card, "Speed"; `scripts/int8_variants.py` reruns
    the other variants."""
    import torch

    try:
        from torch.ao.quantization import (
            default_dynamic_qconfig,
            per_channel_dynamic_qconfig,
            quantize_dynamic,
        )
    except ImportError:
        raise ModelError(f"torch {torch.__version__} has no eager dynamic quantisation (torch.ao.quantization); "
                         "use --dtype float32 or bfloat16") from None
    unknown = set(parts) - set(_INT8_GETTERS)
    if unknown:
        raise ValueError(f"unknown part(s) {sorted(unknown)}: use {', '.join(_INT8_GETTERS)}")
    getters = [getattr(model, g, None) for part in parts for g in _INT8_GETTERS[part]]
    modules = [g() for g in getters if g is not None]
    linear = {id(m) for part in modules if part is not None for m in part.modules() if isinstance(m, torch.nn.Linear)}
    qconfig = per_channel_dynamic_qconfig if per_row else default_dynamic_qconfig
    spec = {name: qconfig for name, m in model.named_modules() if name and id(m) in linear}
    if not spec:
        raise ModelError(f"{type(model).__name__}: no {' or '.join(parts)} Linear layers to quantise; "
                         "use --dtype float32")
    with warnings.catch_warnings():  # torch marks eager quantisation deprecated (torchao); it still works
        warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
        return quantize_dynamic(model, spec, dtype=torch.qint8, inplace=True)


def load_model(name_or_path: str | Path | None = None, threads: int | None = None, dtype: str = "float32",
               lazy: bool = False) -> LoadedModel:
    """Load a local directory or a Hub id as `AutoModelForSeq2SeqLM` + tokenizer.

    `lazy` defers the weights to their first use (`LoadedModel.model`); the tokenizer and config load now, so a
    wrong path or tokenizer still fails here.

    `dtype` is float32, bfloat16, float16, int8 (dynamic quantisation of the Linear layers) or auto (see
    `resolve_dtype`); `LoadedModel.dtype` records the one used, so manifests say what ran."""
    import torch
    from safetensors import SafetensorError
    from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    from .learned_salience import load_salience_model
    from .vocab import load_target_vocab

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    if threads:
        torch.set_num_threads(threads)
    target = Path(name_or_path) if name_or_path else default_model_path()
    local = target.exists()
    if not local and name_or_path is None:
        raise ModelError(f"the embedded default model is missing at {target}; train it with scripts/train.py "
                         "(see models/README.md) or pass --model PATH_OR_HUB_ID")
    if local and not list(target.glob("*.safetensors")):
        found = ", ".join(sorted(p.name for p in target.iterdir())) or "nothing"
        raise ModelError(f"{target}: no .safetensors weights (found {found}); pickled weights are refused")
    if dtype not in DTYPES:
        raise ModelError(f"unknown dtype {dtype!r}; use {', '.join(DTYPES)}")
    dtype = resolve_dtype(dtype)
    torch_dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16,
                   "int8": torch.float32}[dtype]
    def unloadable(exc: Exception) -> ModelError:
        hint = "" if local else " (no network here? pass a local directory)"
        return ModelError(f"cannot load model {str(target)!r}: {str(exc).splitlines()[0]}{hint}")

    try:
        tok = AutoTokenizer.from_pretrained(str(target), trust_remote_code=False)
        config = AutoConfig.from_pretrained(str(target), trust_remote_code=False)
    except (OSError, ValueError, KeyError) as exc:
        raise unloadable(exc) from None

    def weights() -> Any:
        try:
            model = AutoModelForSeq2SeqLM.from_pretrained(str(target), config=config, dtype=torch_dtype,
                                                          use_safetensors=True, trust_remote_code=False)
        except (OSError, ValueError, KeyError, SafetensorError) as exc:  # the last: a damaged weights file
            raise unloadable(exc) from None
        model.eval()
        return quantize_int8(model) if dtype == "int8" else model

    extra = {}
    recap_cfg = target / "recap_config.json"
    if local and recap_cfg.exists():
        extra = json.loads(recap_cfg.read_text())
    if extra.get("speaker_view", "as_written") not in SPEAKER_VIEWS:  # fail at load, not at the first chat
        raise ModelError(f"{recap_cfg}: unknown speaker_view {extra['speaker_view']!r}; "
                         f"expected one of {', '.join(SPEAKER_VIEWS)}")
    max_src = int(extra.get("max_source_tokens") or min(getattr(tok, "model_max_length", 512) or 512, 1024))
    max_pos = getattr(getattr(config, "encoder", config), "max_position_embeddings", None)
    if max_pos:
        max_src = min(max_src, int(max_pos))
    uncased = bool(getattr(tok, "do_lower_case", False)) or tok("A")["input_ids"] == tok("a")["input_ids"]
    rows = int(getattr(getattr(config, "decoder", config), "vocab_size", 0) or len(tok))  # the LM head's rows
    vocab = load_target_vocab(target, rows) if local else None
    loaded = LoadedModel(None, tok, extra.get("name") or (target.name if local else str(name_or_path)),
                         str(target) if local else None, max_src, uncased, extra, dtype, vocab,
                         load_salience_model(target) if local else None, _loader=weights)
    if not lazy:
        loaded.model  # noqa: B018 - load now: a batch should fail before its first event, not during it
    return loaded


def words_to_tokens(words: int) -> int:
    """Subword tokenizers spend ~1.4 tokens per English word, plus end-of-sequence; rounded up to a
    multiple of 16 so events with similar lengths share a batch (the loop and the batch path both use it)."""
    return -(-(int(words * 1.4) + 4) // 16) * 16


def min_new_tokens(settings: GenerationSettings, words: int, limit: int) -> int:
    """The token floor for one event: `min_words`, or `min_ratio` of its own word budget.

    Why a ratio: beam search stops early, and the default model writes about three quarters of the length
    it is asked for; a floor relative to each event's budget keeps short and long events in proportion.
    """
    words_floor = max(settings.min_words, int(settings.min_ratio * words))
    return min(int(words_floor * 1.4), limit - 1) if words_floor else 0


def beam_cache(model, num_beams: int) -> dict[str, Any]:
    """A cache for beam search that does not reorder the cross-attention keys and values at every step.

    Beam search reorders every cached tensor by the beams it keeps; the cross-attention ones are the encoder's,
    identical for all beams of one source (beams never move between sources), so reordering them copies
    batch x heads x source length x head size floats per layer per step and changes nothing. Skipping it gives
    the same output (tests/test_generation.py; timed by scripts/bench_beam_cache.py).
    Only for encoder-decoder models whose generate takes a cache; others keep transformers' default."""
    import inspect

    from transformers.cache_utils import DynamicCache, EncoderDecoderCache

    if num_beams <= 1 or not getattr(model.config, "is_encoder_decoder", False):
        return {}
    params = inspect.signature(model.forward).parameters
    name = "cache" if "cache" in params else "past_key_values" if "past_key_values" in params else None
    if name is None:
        return {}

    class _BeamSharedCrossCache(EncoderDecoderCache):
        def reorder_cache(self, beam_idx):
            self.self_attention_cache.reorder_cache(beam_idx)

    return {name: _BeamSharedCrossCache(DynamicCache(), DynamicCache())}


def trims_vocab(loaded: LoadedModel, settings: GenerationSettings) -> bool:
    """Whether generation scores only the target vocabulary and the source's tokens (`summarizer.vocab`): in float32,
    where the LM head's reads cost most (0.80-0.86x the time of one 500-post recap, model card "Speed"); in bfloat16
    the head is half the bytes and the saving was within the noise, so those recaps stay as they were."""
    return bool(loaded.target_vocab) and not settings.full_vocab and loaded.dtype == "float32"


def generate_texts(loaded: LoadedModel, sources: list[str], settings: GenerationSettings,
                   max_words: list[int]) -> list[str]:
    """The best beam's text for each source (`generate_candidates` with one candidate)."""
    return [c[0] for c in generate_candidates(loaded, sources, settings, max_words)]


def generate_candidates(loaded: LoadedModel, sources: list[str], settings: GenerationSettings,
                        max_words: list[int], k: int = 1) -> list[list[str]]:
    """Generate for many sources in length-sorted batches; returns, in input order, each source's `k` best beams
    (best first; `k` at most `num_beams`).

    Sorting by length keeps padding small; batches are cut where the word budget changes,
    and greedy results equal the one-at-a-time loop (checked by scripts/bench_generate.py).
    An int8 model writes one event at a time: its Linear layers quantise their input with one scale per call, so in
    a batch one event's recap would depend on the other events (and the padding) beside it.
    """
    import torch

    from .vocab import allowed_ids, restricted_head

    tok, model = loaded.tokenizer, loaded.model
    trim = loaded.target_vocab if trims_vocab(loaded, settings) else None
    limits = [words_to_tokens(w) for w in max_words]
    floors = [min_new_tokens(settings, w, lim) for w, lim in zip(max_words, limits, strict=True)]
    order = sorted(range(len(sources)), key=lambda i: (limits[i], floors[i], len(sources[i])))
    batches: list[list[int]] = []
    size = 1 if loaded.dtype == "int8" else max(1, settings.batch_size)
    for i in order:  # a batch never mixes token limits or floors, so each event gets exactly its own settings
        first = batches[-1][0] if batches else None
        if (first is not None and len(batches[-1]) < size
                and (limits[first], floors[first]) == (limits[i], floors[i])):
            batches[-1].append(i)
        else:
            batches.append([i])
    out: list[list[str]] = [[] for _ in sources]
    k = max(1, min(k, settings.num_beams))
    torch.manual_seed(settings.seed)
    for idx in batches:
        enc = tok([sources[i] for i in idx], truncation=True, max_length=loaded.max_source_tokens,
                  padding=True, return_tensors="pt")
        enc.pop("token_type_ids", None)
        limit = limits[idx[0]]
        kwargs: dict[str, Any] = {
            "num_beams": settings.num_beams, "max_new_tokens": limit,
            "no_repeat_ngram_size": settings.no_repeat_ngram_size, "length_penalty": settings.length_penalty,
            "repetition_penalty": settings.repetition_penalty, "do_sample": False, "early_stopping": True,
        }
        if floors[idx[0]]:
            kwargs["min_new_tokens"] = floors[idx[0]]
        if k > 1:
            kwargs["num_return_sequences"] = k
        kwargs.update(beam_cache(model, settings.num_beams))
        allowed = allowed_ids(trim, enc["input_ids"], tok.all_special_ids) if trim else None
        with torch.inference_mode(), restricted_head(model, allowed):
            ids = model.generate(**enc, **kwargs)
        texts = tok.batch_decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=True)
        for j, i in enumerate(idx):  # the k sequences of one source are adjacent, best first
            out[i] = texts[j * k:(j + 1) * k]
    return out
