"""Lesson Markdown → sanitised HTML (markdown-it-py + nh3)."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
    "ol": {"start"},
}
_ALIGN = re.compile(r"^text-align:(left|right|center)$")


@lru_cache
def _md() -> MarkdownIt:
    # "html": False — raw HTML in a lesson is escaped before nh3 even sees it.
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render(text: str, *, media_prefix: str) -> str:
    """Render and sanitise. `media/x.png` becomes `{media_prefix}/x.png`; images from other
    hosts are dropped (pages load nothing from third parties)."""

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if tag == "img" and attr == "src":
            if value.startswith("media/"):
                return f"{media_prefix}/{value[len('media/') :]}"
            return None
        if attr == "style":
            return value if _ALIGN.match(value.replace(" ", "")) else None
        return value

    html = _md().render(
        _TASK.sub(lambda m: m.group(1) + ("☑ " if m.group(2).strip() else "☐ "), text)
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=attribute_filter,
    )


# "- [ ] item" checklists (a GitHub extension, not CommonMark) become ballot boxes.
_TASK = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+)\[([ xX])\]\s+", re.MULTILINE)

MEDIA_REF = re.compile(r"!\[[^\]]*\]\((media/[^)\s]+)")


def media_references(text: str) -> list[str]:
    return MEDIA_REF.findall(text)


def word_count(text: str) -> int:
    return len(re.findall(r"\w+", text))
