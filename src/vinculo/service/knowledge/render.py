"""A small, safe Markdown subset for article bodies.

Everything is HTML-escaped first, so no raw HTML from the author ever reaches the page; then
headings (#), paragraphs, bullet and numbered lists, **bold**, *italic*, `code` and links
[text](https://…) are recognised. Links only to http(s), mailto or site-relative addresses.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CODE = re.compile(r"`([^`\n]+)`")
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC = re.compile(r"(?<![\*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\*\w])")
LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
SAFE_URL = re.compile(r"^(https?://|mailto:|/(?!/))", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")


def _link(match: re.Match) -> str:
    text, url = match.group(1), match.group(2)
    # `url` is already escaped (& → &amp;), so it is safe inside the attribute.
    if not SAFE_URL.match(url):
        return match.group(0)
    return f'<a href="{url}" rel="noopener nofollow">{text}</a>'


def inline(text: str) -> str:
    """Escape a line, then mark up code, links, bold and italic."""
    parts = CODE.split(escape(text))
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f"<code>{part}</code>")
            continue
        part = LINK.sub(_link, part)
        part = BOLD.sub(r"<strong>\1</strong>", part)
        part = ITALIC.sub(r"<em>\1</em>", part)
        out.append(part)
    return "".join(out)


def render(body: str) -> SafeString:
    """The body as safe HTML."""
    html: list[str] = []
    paragraph: list[str] = []
    list_tag = ""

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            html.append("<p>" + "<br>".join(inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if list_tag:
            html.append(f"</{list_tag}>")
            list_tag = ""

    for raw in (body or "").replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            flush()
            continue
        heading = HEADING.match(line)
        bullet = BULLET.match(line)
        numbered = None if bullet else NUMBERED.match(line)
        if heading:
            flush()
            level = len(heading.group(1)) + 1  # the page title is the h1
            html.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (list_tag and list_tag != tag):
                flush()
            if not list_tag:
                html.append(f"<{tag}>")
                list_tag = tag
            html.append(f"<li>{inline((bullet or numbered).group(1))}</li>")
        else:
            if list_tag:
                flush()
            paragraph.append(line.strip())
    flush()
    return mark_safe("\n".join(html))  # noqa: S308  (built from escaped text only)


def excerpt(body: str, length: int = 200) -> str:
    """Plain text of the first lines, for lists and suggestions."""
    text = re.sub(r"\]\([^)]*\)|[#*`\[\]]", "", body or "")
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"
