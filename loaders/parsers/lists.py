"""Lists for the generic parser: item markers, and the lead-ins that make bullets commitments.

Numbered and lettered items (``1.``, ``1)``, ``(a)``, ``(iv)``, ``(2)``) are
commitments wherever they stand; bullets (``-``, ``*``, ``•``, ``●``, ``▪``,
``–``, ``�``) only after a lead-in paragraph ending in ":" that says what will
be done ("We will:", "The Home Office will:", "Actions:"). A lead-in whose
subject is an organisation of the vocabulary ("The Home Office will:") names
the lead of the items under it.
"""

from __future__ import annotations

import re

from vawg_kg.ontology.vocabulary import load_vocabulary

NUMBERED = re.compile(r"^\s*(?:\d{1,3}[.)]|\((?:\d{1,3}|[a-z]{1,2}|[ivxlc]{1,6})\))\s+(?=\S)")
BULLET = re.compile(r"^\s*[-*•\u25cf\u25aa\u2013\ufffd]\s*(?=\S)")
_LEAD_IN_WORD = re.compile(r"\bwill\b|\bcommits?\b|\bactions?\b|\bundertak\w*|\bpledges?\b", re.IGNORECASE)
_WE = re.compile(r"\bwe\b", re.IGNORECASE)
_WE_VERB = re.compile(r"\b(?:will|shall|commit|pledge|undertake|are going to|plan to)\b", re.IGNORECASE)
_SUBJECT_VERB = re.compile(r"\s(?:will|shall|commits?\s+to|(?:is|are)\s+committed\s+to|pledges?\s+to)\b",
                           re.IGNORECASE)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s++)(?=\S)")


def is_lead_in(text: str) -> bool:
    """A paragraph that introduces a list: its last line ends with ':' after 'will',
    'commit(s)', 'action(s)', 'undertak…', 'pledge(s)', or 'we … shall/plan to/…'.

    Two plain scans of that line. One pattern with ``we.*(verb)`` rescanned the rest
    of the line from every 'we' (quadratic on long lines); this gives the same answers
    (``tests/test_parser_generic.py`` checks it against that pattern).
    """
    stripped = text.rstrip()
    if not stripped.endswith(":"):
        return False
    line = stripped[:-1].rsplit("\n", 1)[-1]
    if _LEAD_IN_WORD.search(line):
        return True
    we = _WE.search(line)
    return we is not None and _WE_VERB.search(line, we.end()) is not None


def organisation_subject(sentence: str) -> str | None:
    """The subject of "<subject> will …" when it names an organisation of the vocabulary, else None."""
    verb = _SUBJECT_VERB.search(sentence)
    if verb is None:
        return None
    starts = [m.end() for m in _SENTENCE_START.finditer(sentence[:verb.start()])]
    subject = sentence[starts[-1] if starts else 0:verb.start()].strip()
    if not subject or len(subject) > 80:
        return None
    return subject if load_vocabulary().find_organisation(subject) is not None else None
