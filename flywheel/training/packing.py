"""Pack tokenized documents into fixed-length sequences (EOS between documents), written as NumPy
shards per split: `<dir>/<split>/shard-NNNNN.npy` (shape [sequences, sequence_length]) plus
`<dir>/manifest.json`. Training memory-maps the shards, so corpus size is bounded by disk.

Documents are split into train and validation by a stable hash of their id, so a document never
changes sides as batches are added; the tail of each split that does not fill a sequence is
dropped and counted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from flywheel.stable_hash import in_validation

SPLITS = ("train", "validation")
MANIFEST = "manifest.json"


@dataclass
class SplitStats:
    documents: int = 0
    tokens: int = 0  # tokens in full sequences
    sequences: int = 0
    dropped_tail_tokens: int = 0
    shards: list[str] = field(default_factory=list)


class ShardWriter:
    """Fills [shard_sequences, sequence_length] arrays from a token stream and saves each when full."""

    def __init__(self, out_dir: Path, sequence_length: int, shard_sequences: int, dtype: np.dtype) -> None:
        self.out_dir, self.sequence_length, self.shard_sequences = out_dir, sequence_length, shard_sequences
        self.dtype = dtype
        self.pending: list[np.ndarray] = []
        self.pending_tokens = 0
        self.rows: list[np.ndarray] = []
        self.stats = SplitStats()
        out_dir.mkdir(parents=True, exist_ok=True)

    def add_document(self, ids: list[int], eos_id: int) -> None:
        self.pending.append(np.asarray(ids + [eos_id], dtype=self.dtype))
        self.pending_tokens += len(ids) + 1
        self.stats.documents += 1
        while self.pending_tokens >= self.sequence_length:
            stream = np.concatenate(self.pending)
            whole = (len(stream) // self.sequence_length) * self.sequence_length
            self.rows.extend(stream[:whole].reshape(-1, self.sequence_length))
            self.pending = [stream[whole:]]
            self.pending_tokens = len(stream) - whole
            while len(self.rows) >= self.shard_sequences:
                self._save(self.rows[: self.shard_sequences])
                self.rows = self.rows[self.shard_sequences:]

    def close(self) -> SplitStats:
        if self.rows:
            self._save(self.rows)
        self.stats.dropped_tail_tokens = self.pending_tokens
        return self.stats

    def _save(self, rows: list[np.ndarray]) -> None:
        name = f"shard-{len(self.stats.shards):05d}.npy"
        np.save(self.out_dir / name, np.stack(rows))
        self.stats.shards.append(name)
        self.stats.sequences += len(rows)
        self.stats.tokens += len(rows) * self.sequence_length


@dataclass(frozen=True)
class PackingSettings:
    sequence_length: int
    validation_fraction: float
    shard_sequences: int
    encode_batch_size: int = 512


def pack_documents(documents: Iterable[tuple[str, str]], tokenizer_file: str, eos_id: int,
                   settings: PackingSettings, out_dir: Path, provenance: dict,
                   split_of: Callable[[str], str] | None = None) -> dict:
    """Tokenize `(doc_id, text)` pairs (Rust-parallel `encode_batch`) and pack them into shards.
    Returns the manifest, whose `version` hashes the documents, tokenizer and settings. Documents
    go to a split by `split_of(doc_id)`, by default the stable hash of their id."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(tokenizer_file)
    dtype = np.dtype(np.uint16 if tokenizer.get_vocab_size() <= 2**16 else np.uint32)
    writers = {split: ShardWriter(out_dir / split, settings.sequence_length, settings.shard_sequences, dtype)
               for split in SPLITS}
    content = hashlib.sha256()
    seen: set[str] = set()
    duplicates = 0
    for chunk in _chunks(documents, settings.encode_batch_size):
        fresh = [(doc_id, text) for doc_id, text in chunk if doc_id not in seen]
        duplicates += len(chunk) - len(fresh)
        seen.update(doc_id for doc_id, _ in fresh)
        encodings = tokenizer.encode_batch([text for _, text in fresh], add_special_tokens=False)
        for (doc_id, text), encoding in zip(fresh, encodings):
            content.update(f"{doc_id}\0{text}\0".encode())
            if split_of is not None:
                split = split_of(doc_id)
            else:
                split = "validation" if in_validation(doc_id, settings.validation_fraction) else "train"
            writers[split].add_document(encoding.ids, eos_id)
    stats = {split: asdict(writer.close()) for split, writer in writers.items()}
    content.update(json.dumps([asdict(settings), provenance.get("tokenizer_version")], sort_keys=True).encode())
    manifest = {"version": content.hexdigest()[:16], "sequence_length": settings.sequence_length,
                "dtype": dtype.name, "vocab_size": tokenizer.get_vocab_size(), "eos_id": eos_id,
                "duplicate_documents_skipped": duplicates, "splits": stats, **provenance}
    if stats["train"]["sequences"] == 0 or stats["validation"]["sequences"] == 0:
        raise ValueError(f"too little text to fill one {settings.sequence_length}-token sequence per split "
                         f"(train {stats['train']['tokens']} tokens, validation "
                         f"{stats['validation']['tokens']}); curate more batches or shorten sequences")
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
