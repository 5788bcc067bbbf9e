"""Tiny randomly initialised seq2seq models, built offline inside the tests (no downloads)."""

from __future__ import annotations

from pathlib import Path

CORPUS = [
    "the council approved the budget of 5 million for schools and roads",
    "Alpha team won 3-1 with a late goal by Rossi in the 80th minute",
    "Councillor Maya Okafor says buses will run all night on routes 12 and 38",
    "Zoë Müller opened the Café Zürich meeting and announced 12 new jobs",
    "@alice: great panel on data sharing #IfGdata | @bob: public trust matters",
]


def _bpe_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tk = Tokenizer(models.BPE(unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<pad>", "<s>", "</s>", "<unk>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tk.train_from_iterator(CORPUS * 5, trainer)
    from tokenizers.processors import TemplateProcessing

    tk.post_processor = TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 1), ("</s>", 2)])
    return PreTrainedTokenizerFast(tokenizer_object=tk, pad_token="<pad>", bos_token="<s>", eos_token="</s>",
                                   unk_token="<unk>", model_max_length=256)


def make_bart(path: Path) -> Path:
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    torch.manual_seed(0)
    tok = _bpe_tokenizer()
    cfg = BartConfig(vocab_size=len(tok), d_model=32, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
                     decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=256,
                     pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2)
    BartForConditionalGeneration(cfg).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def make_t5(path: Path) -> Path:
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(0)
    tok = _bpe_tokenizer()
    cfg = T5Config(vocab_size=len(tok), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=2, pad_token_id=0,
                   eos_token_id=2, decoder_start_token_id=0)
    T5ForConditionalGeneration(cfg).save_pretrained(path)
    tok.save_pretrained(path)
    return path


def make_bert2bert(path: Path) -> Path:
    import torch
    from transformers import AutoTokenizer, BertConfig

    from summarizer.bert2bert import build_bert2bert, minilm_path, unshare

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(str(minilm_path()))
    cfg = BertConfig(vocab_size=tok.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=64, max_position_embeddings=512)
    unshare(build_bert2bert(config=cfg)).save_pretrained(path)
    tok.save_pretrained(path)
    return path
