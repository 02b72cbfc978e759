"""MkDocs hook: the copy button of a code block with prompts copies only what to type.

A ``pycon`` or ``console`` block shows prompts (``>>>``, ``...``, ``$``) and the output
after them. mkdocs-material's copy button copies the ``data-copy`` attribute of a code
block where it has one (and the block's text otherwise), so this hook gives every block
that has prompts a ``data-copy`` with the prompted lines alone, their prompts removed:
what a reader would paste into Python or a shell. Blocks without prompts are left alone.
"""

from __future__ import annotations

import html
import re
from typing import Any

_BLOCK = re.compile(r"(<pre[^>]*>(?:<span></span>)?<code)([^>]*>)(.*?)(</code></pre>)", re.S)
_PROMPT_SPAN = re.compile(r'<span class="gp">')
_TAG = re.compile(r"<[^>]+>")
_PROMPT = re.compile(r"(>>>|\.\.\.|\$)( |$)")


def typed_lines(text: str) -> str:
    r"""The lines of a session that start with a prompt, without it; the output is left out.

    >>> typed_lines(">>> x = 1\n>>> x\n1\n$ trustkit steps\n...\n")
    'x = 1\nx\ntrustkit steps\n'
    """
    return "\n".join(
        match.string[match.end() :]
        for line in text.splitlines()
        if (match := _PROMPT.match(line)) is not None
    )


def _with_copy_text(block: re.Match[str]) -> str:
    start, attributes, body, end = block.groups()
    if not _PROMPT_SPAN.search(body) or "data-copy" in attributes:
        return block.group(0)
    text = typed_lines(html.unescape(_TAG.sub("", body)))
    value = html.escape(text, quote=True).replace("\n", "&#10;")
    return f'{start} data-copy="{value}"{attributes}{body}{end}'


def on_page_content(content: str, **_: Any) -> str:
    """Give each code block with prompts the text its copy button should copy."""
    return _BLOCK.sub(_with_copy_text, content)
