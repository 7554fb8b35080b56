"""A synthetic corpus for the benchmarks: N documents with the vocabulary of the real five.

``python -m benchmarks.corpus --docs 500 --out /tmp/corpus`` writes
``synth-0001.txt`` … and ``corpus.json`` (the doc ids and commitment counts).

The phrases are recombined from the real documents (the commitments the
bundled parsers find in ``data/sources``) and the names from the controlled
vocabularies (organisations with their acronyms, Acts, themes, outcome codes),
so the enricher, the linker and the overlap blocking see the words they see
on the real graph. Each document mixes the three layouts the generic parser
reads — numbered lists, "We will:" bullet lists, and tab-separated tables
with an action, a lead and a date column (under varied header names) — with
headings (Markdown or plain) and prose, so structure varies as well as text.

The build reads added documents with the generic parser only, so the corpus
is generic-shaped: it does not reproduce the five bespoke layouts (the HMG
annex, the CPS 2017 four-column table, ...). Seeded and deterministic: the
same ``--seed`` and ``--docs`` give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vawg_kg.loaders.stop_words import ENGLISH_STOP_WORDS

PER_DOC = (40, 80)  # commitments per document: mean 60, so 500 docs ≈ 30,000 ≈ 100× the real ~300
# Tuned so that the figures printed by ``--figures`` (overlaps, organisations, legislation and
# deadlines per commitment) come near the real documents': a document's own scheme and area names
# shared by many of its commitments made them overlap one another (5.3 overlaps per commitment at
# 20 documents against 0.73 in the real five).
# Two things set the overlap density. A document's own wording: each document swaps the content
# words of its word chains for others of the real vocabulary, one swap per word for the whole
# document (``RELEX_SHARE`` of them), so two documents rarely share a phrase by chance and a new
# commitment overlaps almost nothing. And restatement: ``RESTATE_SHARE`` of the commitments
# restate one from an earlier synthetic document (its words, its own partner, area and date),
# which is where nearly all the overlaps come from, so overlaps per commitment stay flat as the
# corpus grows instead of growing with it.
NEXT2_SHARE = 0.6  # word-pair (grammatical) steps in a continuation; the rest single-word steps
RELEX_SHARE = 1.0
RESTATE_SHARE = 0.4
RESTATE_REACH = 8
WORDS = (14, 42)  # words a new commitment continues its two-word opening with
SCHEME_SHARE = 0.15
AREA_SHARE = 0.2
PARTNER_SHARE = 0.15
ACT_SHARE = 0.05
OUTCOME_SHARE = 0.01
DATE_SHARE = 0.8

_TABLE_HEADERS = (
    ("ACTION", "LEAD", "DELIVERY DATE"),
    ("Action", "Owner", "Deadline"),
    ("Commitment", "Responsible", "By when"),
    ("What we will do", "Lead organisation", "Timing"),
    ("Actions", "Who", "When"),
)
_EXTRA_COLUMNS = ("Strand", "Ref", "Priority", "Outcome")
_LEAD_INS = (
    "We will:",
    "Over the next year we will:",
    "The Department commits to:",
    "Actions:",
    "Working with partners, we will:",
    "To deliver this we pledge to:",
)
_BULLETS = ("-", "*", "•")
_NUMBERING = ("{n}.", "{n})", "({n})", "({a})")
_DATE_FORMS = (
    "{month} {year}", "March {year}", "{year}/{yy1}", "Q{q} {year}", "end of {year}",
    "{day} {month} {year}", "Spring {year}", "Autumn {year}", "Ongoing", "{year}-{yy1}",
)
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_CONNECTIVES = ("working with", "in partnership with", "jointly with", "supported by", "alongside")
# Police force areas of England and Wales: real documents at scale are often local, and name their area.
_AREAS = (
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London", "Cleveland", "Cumbria",
    "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys", "Essex", "Gloucestershire",
    "Greater Manchester", "Gwent", "Hampshire", "Hertfordshire", "Humberside", "Kent", "Lancashire",
    "Leicestershire", "Lincolnshire", "Merseyside", "the Metropolitan Police District", "Norfolk",
    "North Wales", "North Yorkshire", "Northamptonshire", "Northumbria", "Nottinghamshire", "South Wales",
    "South Yorkshire", "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley", "Warwickshire",
    "West Mercia", "West Midlands", "West Yorkshire", "Wiltshire",
)
_SYLLABLES = ("ash", "bel", "brook", "dale", "ford", "haven", "kes", "ley", "mont", "more", "ridge", "stone",
              "thorn", "ton", "vale", "wick", "wood", "bri", "cal", "der", "fen", "gar", "hol", "lin", "mar",
              "nor", "pen", "ros", "sel", "tam", "wen", "yar")
_SCHEMES = ("programme", "pathway", "partnership", "pilot", "hub", "scheme", "project", "service")


@dataclass(frozen=True)
class Phrases:
    heads: tuple[str, ...]  # the first two words of real commitments: "Develop and"
    tails: tuple[str, ...]  # their remainder, without the final full stop
    next1: dict[str, tuple[str, ...]]  # word → words that follow it in the real commitments
    next2: dict[tuple[str, str], tuple[str, ...]]  # word pair → following words ("" ends a sentence)
    prose: tuple[str, ...]  # sentences that are not commitments
    orgs: tuple[tuple[str, str], ...]  # (name, acronym or name)
    acts: tuple[str, ...]
    themes: tuple[str, ...]
    outcome_codes: tuple[str, ...]
    content: tuple[str, ...]  # distinct lower-case words of the real commitments (what a word may become)


def _first_sentence(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    m = re.match(r"(.{30,}?[.;])(\s|$)", text)
    return (m.group(1) if m else text).rstrip(".;: ")


@lru_cache(maxsize=1)
def phrases() -> Phrases:
    """Harvest from the real documents (through their own parsers) and from the vocabularies."""
    from vawg_kg.loaders.build import SourceDocument, parse_document
    from vawg_kg.loaders.documents import BUNDLED
    from vawg_kg.loaders.source_io import read_source
    from vawg_kg.ontology.vocabulary import load_vocabulary
    from vawg_kg.paths import sources_dir

    heads: set[str] = set()
    tails: set[str] = set()
    prose: set[str] = set()
    next1: dict[str, list[str]] = {}
    next2: dict[tuple[str, str], list[str]] = {}
    for info in BUNDLED:
        path = sources_dir() / info.file
        parsed = parse_document(SourceDocument(info, path, read_source(path)))
        for st in parsed.statements:
            sentence = _first_sentence(st.text).replace("\t", " ")
            words = sentence.split()
            if len(words) < 6:
                continue
            if st.kind == "commitment":
                # Openings of two words ("Develop and", "Work with"): a longer shared opening would
                # make thousands of synthetic commitments near-copies of each other.
                heads.add(" ".join(words[:2]))
                tails.add(" ".join(words[2:]))
                padded = [*words, ""]
                for a, b, c in zip(padded, padded[1:], padded[2:]):
                    next2.setdefault((a, b), []).append(c)
                for a, b in zip(padded, padded[1:]):
                    next1.setdefault(a, []).append(b)
            else:
                prose.add(sentence)
    vocab = load_vocabulary()
    orgs = sorted((o.name, o.acronyms[0] if o.acronyms else o.name) for o in vocab.organisations.values())
    acts = sorted({a.name for a in vocab.legislation.values() if a.section is None})
    themes = sorted({t.name for t in vocab.themes.values()})
    codes = sorted(vocab.outcome_codes)
    # Swap targets: the distinct lower-case words, each as likely as any other (drawing by frequency
    # would spread the commonest acronyms into every document, and phrases would be shared again).
    content = sorted({w for ws in next1.values() for w in ws if len(w) >= 5 and w.isalpha() and w.islower()})
    return Phrases(tuple(sorted(heads)), tuple(sorted(tails)),
                   {k: tuple(v) for k, v in sorted(next1.items())},
                   {k: tuple(v) for k, v in sorted(next2.items())},
                   tuple(sorted(prose)), tuple(orgs), tuple(acts), tuple(themes), tuple(codes), tuple(content))


def _is_content(word: str) -> bool:
    """A word of three letters or more that is not a stop word (names and acronyms included, which
    are what phrases are matched on): what a document may say in its own words."""
    return len(word) >= 3 and any(c.isalpha() for c in word) and word.lower() not in ENGLISH_STOP_WORDS


class _Writer:
    def __init__(self, rng: random.Random, ph: Phrases, year: int, earlier: list[tuple[str, ...]]) -> None:
        self.rng = rng
        self.ph = ph
        self.year = year
        self.lines: list[str] = []
        self.count = 0
        self.earlier = earlier  # the cores of earlier documents' commitments, one tuple a document
        self.cores: list[str] = []
        self.lexicon: dict[str, str] = {}
        # What makes one local document's wording its own: its areas and its named local schemes.
        # Without them every synthetic commitment resembles dozens in other documents, and the
        # overlap count (and the graph) grows with the square of the corpus, unlike real documents.
        self.areas = rng.sample(_AREAS, rng.randint(1, 3))
        self.schemes = [f"{self.name()} {rng.choice(_SCHEMES)}" for _ in range(rng.randint(3, 8))]

    def name(self) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()

    def date(self) -> str:
        r = self.rng
        year = self.year + r.randint(0, 4)
        return r.choice(_DATE_FORMS).format(month=r.choice(_MONTHS), year=year, yy1=str(year + 1)[2:],
                                            q=r.randint(1, 4), day=r.randint(1, 28))

    def continuation(self, words: list[str]) -> list[str]:
        """Continue a real opening with a word chain from the real commitments.

        Mostly word-pair transitions (grammatical), with two steps in five on single
        words, so sentences are new rather than copies: a corpus of copies would make
        every commitment 'restate' a hundred others and test nothing but the dedupe.
        """
        r = self.rng
        out: list[str] = []
        limit = r.randint(WORDS[0], WORDS[1])
        for _ in range(4 * limit):  # bounded: a state whose only successor is the end retries only so often
            if len(out) >= limit:
                break
            a, b = (words + out)[-2:] if len(words + out) >= 2 else ("", (words + out)[-1])
            choices = self.ph.next2.get((a, b)) if r.random() < NEXT2_SHARE else None
            choices = choices or self.ph.next1.get(b)
            if not choices:
                break
            word = r.choice(choices)
            if not word:
                if len(out) >= 6:
                    break
                continue
            out.append(word)
        return out or r.choice(self.ph.tails).split()

    def own_word(self, word: str) -> str:
        """This document's word for ``word`` (the same swap every time it comes up here)."""
        if not _is_content(word):
            return word
        if word not in self.lexicon:
            self.lexicon[word] = self.rng.choice(self.ph.content) if self.rng.random() < RELEX_SHARE else word
        return self.lexicon[word]

    def core(self) -> str:
        """What the commitment says, before its partner, law and date: new, or restating an earlier one.

        Only new cores are kept for later documents to restate: a restatement of a restatement
        would let one popular commitment gather dozens of copies, whose pairs all overlap.
        """
        r = self.rng
        if self.earlier and r.random() < RESTATE_SHARE:
            # mostly a recent document (about the last RESTATE_REACH): each document is then restated
            # about as often as any other, where a uniform pick would pile restatements on the first ones
            back = min(len(self.earlier), 1 + int(r.expovariate(1 / RESTATE_REACH)))
            source = self.earlier[-back]
            if source:
                return r.choice(source)
        head = r.choice(self.ph.heads).split()
        # the opening verb stays (what makes it a commitment); every other content word is this document's
        words = head[:1] + [self.own_word(w) for w in head[1:] + self.continuation(head)]
        core = " ".join(words).rstrip(".;:,")
        self.cores.append(core)
        return core

    def commitment(self, inline_lead: bool) -> str:
        """One commitment sentence: a real opening, a chained continuation, sometimes a partner, law or date."""
        r = self.rng
        text = self.core()
        if r.random() < SCHEME_SHARE:
            text += f" {r.choice(('through', 'via', 'as part of'))} the {r.choice(self.schemes)}"
        if r.random() < AREA_SHARE:
            text += f" {r.choice(('in', 'across', 'for'))} {r.choice(self.areas)}"
        roll = r.random()
        if inline_lead and roll < PARTNER_SHARE:
            name, short = r.choice(self.ph.orgs)
            text += f", {r.choice(_CONNECTIVES)} {r.choice((name, short))}"
        if r.random() < ACT_SHARE:
            text += f", under the {r.choice(self.ph.acts)}"
        if r.random() < OUTCOME_SHARE:
            text += f", reporting on outcome code {r.choice(self.ph.outcome_codes)}"
        if inline_lead and r.random() < DATE_SHARE:
            text += f", by {self.date()}"
        self.count += 1
        return text + "."

    def heading(self, title: str) -> None:
        if self.rng.random() < 0.6:
            self.lines += [f"{'#' * self.rng.randint(2, 3)} {title}", ""]
        else:
            self.lines += [title.upper() if self.rng.random() < 0.5 else title, ""]

    def prose(self) -> None:
        self.lines += [". ".join(self.rng.sample(self.ph.prose, self.rng.randint(1, 3))) + ".", ""]

    def numbered(self, n: int) -> None:
        form = self.rng.choice(_NUMBERING)
        for i in range(1, n + 1):
            marker = form.format(n=i, a="abcdefghijklmnopqrstuvwxyz"[(i - 1) % 26] * (1 + (i - 1) // 26))
            text = self.commitment(True)
            if len(text) > 110 and self.rng.random() < 0.4:  # wrap a long item over two lines
                cut = text.rfind(" ", 0, 90)
                self.lines += [f"{marker} {text[:cut]}", f"   {text[cut + 1:]}"]
            else:
                self.lines.append(f"{marker} {text}")
        self.lines.append("")

    def bullets(self, n: int) -> None:
        bullet = self.rng.choice(_BULLETS)
        self.lines.append(self.rng.choice(_LEAD_INS))
        self.lines += [f"{bullet} {self.commitment(True)}" for _ in range(n)]
        self.lines.append("")

    def table(self, n: int) -> None:
        r = self.rng
        action, lead, when = r.choice(_TABLE_HEADERS)
        columns = [action, lead, when]
        r.shuffle(columns)
        extra = r.random() < 0.5
        header = ([r.choice(_EXTRA_COLUMNS)] if extra else []) + columns
        self.lines.append("\t".join(header))
        for _ in range(n):
            name, short = r.choice(self.ph.orgs)
            leads = r.choice((short, name, f"{short} / {r.choice(self.ph.orgs)[1]}"))
            cells = {action: self.commitment(False), lead: leads if r.random() < 0.9 else "",
                     when: self.date() if r.random() < 0.85 else "TBC"}
            row = [cells[c] for c in columns]
            if extra:
                row.insert(0, r.choice(self.ph.themes))
            self.lines.append("\t".join(row))
        self.lines.append("")


def document(index: int, seed: int = 0) -> tuple[str, int]:
    """The text of synthetic document ``index`` and how many commitments it holds."""
    for earlier in range(1, index):  # in order, so the cache never recurses deeply
        _document(earlier, seed)
    text, count, _ = _document(index, seed)
    return text, count


@lru_cache(maxsize=None)
def _document(index: int, seed: int) -> tuple[str, int, tuple[str, ...]]:
    ph = phrases()
    rng = random.Random(f"vawg-kg-synthetic:{seed}:{index}")
    publisher = rng.choice(ph.orgs)[0]
    year = rng.randint(2012, 2026)
    earlier = [_document(j, seed)[2] for j in range(1, index)]
    w = _Writer(rng, ph, year, earlier)
    w.lines += [f"# {publisher}: violence against women and girls delivery plan {year}–{year + rng.randint(1, 5)}", ""]
    w.prose()
    target = rng.randint(*PER_DOC)
    themes = rng.sample(ph.themes, min(len(ph.themes), 8))
    t = 0
    while w.count < target:
        w.heading(themes[t % len(themes)] + ("" if t < len(themes) else f" ({t // len(themes) + 1})"))
        t += 1
        if rng.random() < 0.5:
            w.prose()
        n = min(rng.randint(4, 14), target - w.count) or 1
        rng.choice((w.numbered, w.bullets, w.table))(n)
    return "\n".join(w.lines), w.count, tuple(w.cores)


def doc_id(index: int) -> str:
    return f"synth-{index:04d}"


def write_corpus(n_docs: int, out: Path, seed: int = 0) -> list[tuple[Path, str]]:
    """Write ``n_docs`` documents into ``out``; return ``(path, doc_id)`` pairs for ``build_graph(extra_sources=...)``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pairs: list[tuple[Path, str]] = []
    manifest: list[dict[str, object]] = []
    for i in range(1, n_docs + 1):
        text, count = document(i, seed)
        path = out / f"{doc_id(i)}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        pairs.append((path, doc_id(i)))
        manifest.append({"doc_id": doc_id(i), "file": path.name, "commitments": count})
    (out / "corpus.json").write_text(json.dumps({"seed": seed, "documents": manifest}, indent=1) + "\n")
    return pairs


# --- how the corpus compares with the real documents --------------------------------

FIGURES = (
    ("commitments per document", "commitments_per_document"),
    ("words per commitment", "words_per_commitment"),
    ("overlaps per commitment", "overlaps_per_commitment"),
    ("organisations per commitment (leads + partners)", "organisations_per_commitment"),
    ("legislation per commitment", "legislation_per_commitment"),
    ("share with a deadline", "share_with_deadline"),
)


def figures(build_dir: Path, synthetic: bool) -> dict[str, float]:
    """The corpus figures of a build, over its synthetic documents (``synth-*``) or its real ones.

    Overlaps are counted per commitment of the chosen kind: an overlap between a synthetic and
    a real commitment counts once, for the synthetic side.
    """
    records = json.loads((Path(build_dir) / "commitments.json").read_text(encoding="utf-8"))
    chosen = [r for r in records if r["doc_id"].startswith("synth-") == synthetic]
    ids = {r["id"] for r in chosen}
    links = json.loads((Path(build_dir) / "links.json").read_text(encoding="utf-8"))
    overlaps = sum(1 for o in links["overlaps"] if _overlap_ends(o) & ids)
    n = max(len(chosen), 1)
    docs = {r["doc_id"] for r in chosen}
    return {
        "documents": len(docs), "commitments": len(chosen),
        "commitments_per_document": round(len(chosen) / max(len(docs), 1), 2),
        "words_per_commitment": round(sum(len(r["text"].split()) for r in chosen) / n, 2),
        "overlaps_per_commitment": round(overlaps / n, 3),
        "organisations_per_commitment": round(
            sum(len({o["id"] for o in r["leads"] + r["partners"]}) for r in chosen) / n, 3),
        "legislation_per_commitment": round(sum(len(r["legislation"]) for r in chosen) / n, 3),
        "share_with_deadline": round(sum(1 for r in chosen if r.get("deadline")) / n, 3),
    }


def _overlap_ends(overlap: dict[str, object]) -> set[str]:
    return {e for e in (overlap.get("a"), overlap.get("b")) if isinstance(e, str)}


def compare_table(real: dict[str, float], synthetic: dict[str, float]) -> str:
    rows = [f"| figure | real ({real['documents']} documents, {real['commitments']} commitments) | "
            f"synthetic ({synthetic['documents']} documents, {synthetic['commitments']} commitments) | "
            "synthetic / real |", "|---|---|---|---|"]
    for label, key in FIGURES:
        a, b = real[key], synthetic[key]
        rows.append(f"| {label} | {a:g} | {b:g} | {b / a:.2f}× |" if a else f"| {label} | {a:g} | {b:g} | – |")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--figures", action="store_true",
                        help="also build the real five plus the corpus (in OUT/build) and print the corpus "
                             "figures beside the real documents'")
    args = parser.parse_args(argv)
    pairs = write_corpus(args.docs, args.out, args.seed)
    total = sum(d["commitments"] for d in json.loads((args.out / "corpus.json").read_text())["documents"])
    print(f"wrote {len(pairs)} documents, {total} commitments, to {args.out}")
    if args.figures:
        from vawg_kg.loaders.build import build_graph

        real_dir, build_dir = args.out / "build-real", args.out / "build"
        build_graph(real_dir)  # the real five alone: their overlaps among themselves
        build_graph(build_dir, extra_sources=pairs)
        print(compare_table(figures(real_dir, synthetic=False), figures(build_dir, synthetic=True)))


if __name__ == "__main__":
    main()
