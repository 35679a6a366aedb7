"""Where a paper can be read: arXiv ids and URLs (issue 12). Pure functions.

Dump text is untrusted, so an arXiv id is kept only when it has the shape of
one, and a link only when it is a plain http(s) URL; the URLs built here
quote whatever they carry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

if TYPE_CHECKING:
    from .model import Paper

__all__ = ["clean_arxiv_id", "clean_url", "arxiv_url", "hf_url", "search_url", "page_url", "paper_url"]

# New style (0704.0001 onwards: YYMM.NNNN or YYMM.NNNNN) and old style (hep-th/9901001).
_ARXIV = re.compile(r"(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})")
_URL = re.compile(r"https?://[^\s<>\"'`\\{}|^\x00-\x1f\x7f]{1,500}")


def clean_arxiv_id(value: object) -> str | None:
    """An arXiv id without prefix or version, or None when ``value`` is not one.

    >>> clean_arxiv_id("arXiv:2406.07550v2")
    '2406.07550'
    >>> clean_arxiv_id("hep-th/9901001") , clean_arxiv_id("2406.07550; rm -rf /")
    ('hep-th/9901001', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text[:6].lower() == "arxiv:":
        text = text[6:]
    text = re.sub(r"v\d+$", "", text)
    return text if _ARXIV.fullmatch(text) else None


def clean_url(value: object) -> str | None:
    """A plain http(s) URL, or None.

    >>> clean_url("https://github.com/yu-rp/KANbeFair"), clean_url("javascript:alert(1)")
    ('https://github.com/yu-rp/KANbeFair', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if _URL.fullmatch(text) else None


def arxiv_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def hf_url(arxiv_id: str) -> str:
    return f"https://huggingface.co/papers/{arxiv_id}"


def search_url(title: str) -> str:
    """An arXiv search for the title, for a paper whose id no dump gave.

    >>> search_url("KAN: Kolmogorov-Arnold Networks")
    'https://arxiv.org/search/?query=KAN%3A+Kolmogorov-Arnold+Networks&searchtype=title'
    """
    return f"https://arxiv.org/search/?query={quote_plus(' '.join(title.split()))}&searchtype=title"


def page_url(paper: "Paper") -> str | None:
    """The paper's arXiv page when its id is known, else None."""
    arxiv_id = clean_arxiv_id(paper.arxiv_id)
    return arxiv_url(arxiv_id) if arxiv_id else None


def paper_url(paper: "Paper") -> str:
    """The paper's page: arXiv when its id is known, else an arXiv title search."""
    arxiv_id = clean_arxiv_id(paper.arxiv_id)
    return arxiv_url(arxiv_id) if arxiv_id else search_url(paper.title)
