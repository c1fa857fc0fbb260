"""The topic taxonomy of agenda items: codes, labels and Danish keywords from ``config/topics.yml``.

The keywords live in configuration so that an analyst can add a synonym without a release; the
matching rules (stem, word, phrase) are described at the top of the YAML file.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from culture_warehouse.config import project_dir

# Spellings without æ, ø and å are common in older systems and e-mails; both sides of a match
# are folded to the same ASCII form so "sygefravaer" and "sygefravær" are one word.
_FOLDS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe"})
# A word boundary is any non-letter: digits and hyphens end a word, so "MTU2026" and
# "APV-handlingsplan" contain the words "mtu" and "apv".
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"


def fold(text: str) -> str:
    """Lower case, æøå spelled out, accents dropped: the form keywords and text are compared in."""
    composed = unicodedata.normalize("NFC", text).casefold().translate(_FOLDS)
    folded = unicodedata.normalize("NFKD", composed)
    return "".join(char for char in folded if not unicodedata.combining(char))


@dataclass(frozen=True, slots=True)
class Topic:
    code: str
    label: str
    label_en: str | None
    keywords: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TopicTaxonomy:
    topics: tuple[Topic, ...]
    _patterns: tuple[tuple[str, re.Pattern[str]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        patterns = tuple((topic.code, _pattern(topic.keywords)) for topic in self.topics)
        object.__setattr__(self, "_patterns", patterns)

    @classmethod
    def load(cls, path: Path | None = None) -> TopicTaxonomy:
        """Read the taxonomy; raises ValueError naming the file and the topic that is malformed."""
        source = path or project_dir() / "config" / "topics.yml"
        document = yaml.safe_load(source.read_text(encoding="utf-8"))
        entries = document.get("topics") if isinstance(document, dict) else None
        if not isinstance(entries, dict) or not entries:
            raise ValueError(f"{source}: expected a mapping 'topics:' of topic codes")
        return cls(tuple(_topic(source, str(code), entry) for code, entry in entries.items()))

    def topics_for(self, text: str) -> tuple[str, ...]:
        """The codes of every topic with a keyword in the text, sorted; () when none matches."""
        folded = fold(text)
        return tuple(sorted(code for code, pattern in self._patterns if pattern.search(folded)))


def _topic(source: Path, code: str, entry: object) -> Topic:
    if not isinstance(entry, dict):
        raise ValueError(f"{source}: topic '{code}' must be a mapping with label and keywords")
    label, label_en, keywords = entry.get("label"), entry.get("label_en"), entry.get("keywords")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"{source}: topic '{code}' needs a 'label'")
    if not isinstance(keywords, list) or not keywords:
        raise ValueError(f"{source}: topic '{code}' needs a non-empty 'keywords' list")
    cleaned = tuple(str(keyword).strip() for keyword in keywords)
    if any(not keyword.rstrip("*").strip() for keyword in cleaned):
        raise ValueError(f"{source}: topic '{code}' has an empty keyword")
    return Topic(code, label.strip(), str(label_en).strip() if label_en else None, cleaned)


def _pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One regex per topic: ``stem*`` matches a word start, anything else whole words only."""
    alternatives = []
    for keyword in keywords:
        is_stem = keyword.endswith("*")
        words = fold(keyword.rstrip("*")).split()
        body = r"[\s-]+".join(re.escape(word) for word in words)
        alternatives.append(_NOT_LETTER_BEFORE + body + ("" if is_stem else _NOT_LETTER_AFTER))
    return re.compile("|".join(alternatives))
