"""Build the bundled instruction set for supervised fine-tuning from the real Python 3.11
documentation sources installed by Debian's `python3.11-doc` (PSF licence):

  * every glossary entry: "What does <term> mean in Python?" -> the glossary's own definition;
  * every library module page: "What is the Python module <name> for?" -> the page's synopsis
    and its first paragraph of prose.

    apt-get install python3.11-doc
    .venv/bin/python infra/sample_data/build_instructions.py

Writes `flywheel/bundled/sample/instructions/python-docs.jsonl` (`prompt`, `response`, `source`). Prompts are
templated; responses are the documentation's sentences with reStructuredText markup removed.
Deterministic: the same inputs give a byte-identical file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SOURCES = Path("/usr/share/doc/python3.11/html/_sources")
OUT = Path("flywheel/bundled/sample/instructions/python-docs.jsonl")
DOCS_URL = "https://docs.python.org/3.11"
MAX_WORDS = 120
GLOSSARY_PROMPTS = ("What does \"{term}\" mean in Python?", "Explain the Python term \"{term}\".",
                    "In Python, what is meant by \"{term}\"?")
MODULE_PROMPTS = ("What is the Python module `{name}` for?", "What does the `{name}` module in the "
                  "standard library do?", "Describe Python's `{name}` module.")


def plain(rst: str) -> str:
    """reStructuredText inline markup as plain text."""
    text = re.sub(r":[a-z:]+:`~?!?([^`<]*?)\s*<[^`>]*>`", r"\1", rst)  # :ref:`text <target>`
    text = re.sub(r":[a-z:]+:`~?!?([^`]*)`", r"\1", text)  # :func:`open`
    text = re.sub(r"`([^`<]*?)\s*<[^`>]*>`_+", r"\1", text)  # `text <url>`_
    text = re.sub(r"``([^`]*)``", r"\1", text)
    text = re.sub(r"\[#[^\]]*\]_", "", text)
    text = text.replace("\\", "").replace("**", "").replace("*", "")
    return " ".join(text.split())


def clip(text: str) -> str:
    words = text.split()
    if len(words) <= MAX_WORDS:
        return text
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept, count = [], 0
    for sentence in sentences:
        count += len(sentence.split())
        if kept and count > MAX_WORDS:
            break
        kept.append(sentence)
    return " ".join(kept)


def glossary_examples() -> list[dict]:
    lines = (SOURCES / "glossary.rst.txt").read_text().splitlines()
    examples, term, body = [], None, []

    def flush():
        paragraph = []
        for line in body:
            if not line.strip():
                if paragraph:
                    break
                continue
            paragraph.append(line.strip())
        text = plain(" ".join(paragraph))
        if term and len(text.split()) >= 8 and not text.startswith("Can refer to"):
            prompt = GLOSSARY_PROMPTS[len(examples) % len(GLOSSARY_PROMPTS)].format(term=term)
            examples.append({"prompt": prompt, "response": clip(text),
                             "source": f"{DOCS_URL}/glossary.html#term-{term.replace(' ', '-')}"})

    for line in lines:
        if re.match(r"^   \S", line):
            flush()
            term, body = plain(line.strip()), []
        elif term is not None:
            body.append(line)
    flush()
    return examples


def module_examples() -> list[dict]:
    examples = []
    for path in sorted((SOURCES / "library").glob("*.rst.txt")):
        source = path.read_text()
        module = re.search(r"^\.\. module:: (\S+)\s*\n(?:\s+:[a-z]+:.*\n)*?\s+:synopsis: (.+\n(?:\s{4,}[^:\s].*\n)*)",
                           source, re.M)
        if not module:
            continue
        name, synopsis = module.group(1), plain(module.group(2))
        paragraph = _first_prose_paragraph(source[module.end():])
        if not paragraph:
            continue
        prompt = MODULE_PROMPTS[len(examples) % len(MODULE_PROMPTS)].format(name=name)
        response = clip(f"{synopsis.rstrip('.')}. {paragraph}")
        examples.append({"prompt": prompt, "response": response,
                         "source": f"{DOCS_URL}/library/{path.name.removesuffix('.rst.txt')}.html"})
    return examples


def _first_prose_paragraph(rst: str) -> str | None:
    for block in re.split(r"\n\s*\n", rst):
        lines = block.strip().splitlines()
        if not lines or lines[0].startswith((".. ", "**Source", "---", ":", "=", "   ")) or block.startswith("   "):
            continue
        text = plain(" ".join(line.strip() for line in lines))
        if len(text.split()) >= 12 and not text.endswith(":"):
            return text
    return None


def main() -> None:
    examples = glossary_examples() + module_examples()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example, ensure_ascii=False) + "\n")
    print(f"wrote {len(examples)} examples to {OUT}")


if __name__ == "__main__":
    main()
