"""The docs site: built on a fresh machine as the README says; copy buttons copy what to type."""

from __future__ import annotations

import doctest
import html
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).parent.parent
HOOK = ROOT / "hooks" / "copy_button.py"


def _load() -> ModuleType:
    if not HOOK.is_file():  # only when run outside a checkout
        pytest.skip("needs the repository's hooks folder")
    spec = importlib.util.spec_from_file_location("copy_button", HOOK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load()

PYCON = (
    '<div class="highlight"><pre><span></span><code>'
    '<span class="gp">&gt;&gt;&gt; </span><span class="n">x</span> <span class="o">=</span> '
    '<span class="s2">"a &amp; &lt;b&gt;"</span>\n'
    '<span class="gp">&gt;&gt;&gt; </span><span class="n">x</span>\n'
    "<span class=\"go\">'a &amp; &lt;b&gt;'</span>\n"
    '<span class="gp">&gt;&gt;&gt; </span><span class="k">raise</span> '
    '<span class="ne">ValueError</span>\n'
    '<span class="gt">Traceback (most recent call last):</span>\n'
    '<span class="w">  </span><span class="c">...</span>\n'
    '<span class="gr">ValueError</span>\n'
    "</code></pre></div>"
)


def copied(page: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'data-copy="([^"]*)"', page)]


def test_a_python_session_copies_only_its_input() -> None:
    """Prompts, output and tracebacks are left out; quotes and '&' survive the attribute."""
    page = hook.on_page_content(PYCON, page=None, config={}, files=[])
    assert copied(page) == ['x = "a & <b>"\nx\nraise ValueError']
    assert page.endswith(PYCON[PYCON.index("<span class") :])  # what is shown is unchanged


def test_a_shell_session_copies_its_commands() -> None:
    """'$ ' prompts go; a block without prompts keeps copying as it is."""
    console = (
        '<pre><span></span><code><span class="gp">$ </span>trustkit steps\n'
        '<span class="go">educate  Learn</span>\n</code></pre>'
    )
    plain = "<pre><span></span><code>pip install trustkit-couples\n</code></pre>"
    page = hook.on_page_content(console + plain)
    assert copied(page) == ["trustkit steps"]
    assert page.endswith(plain)


def test_a_block_that_already_says_what_to_copy_is_left_alone() -> None:
    """A data-copy written by hand wins."""
    block = '<pre><code data-copy="x"><span class="gp">$ </span>y\n</code></pre>'
    assert hook.on_page_content(block) == block


@given(st.lists(st.tuples(st.sampled_from([">>> ", "... ", "$ ", ""]), st.text("ab =()"))))
def test_typed_lines_keeps_each_prompted_line_in_order(lines: list[tuple[str, str]]) -> None:
    """Every line typed after a prompt is kept, in order; every other line is dropped."""
    text = "\n".join(prompt + line for prompt, line in lines)
    typed = [line for prompt, line in lines if prompt]
    assert hook.typed_lines(text).split("\n") == (typed or [""])


def test_the_hooks_own_example() -> None:
    """The example in typed_lines' docstring holds."""
    assert doctest.testmod(hook).failed == 0


def test_the_docs_use_the_hook() -> None:
    """mkdocs.yml names the hook, and the sdist ships it."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "- hooks/copy_button.py" in config
    assert "content.code.copy" in config
    assert '"hooks"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_readme_says_how_to_build_the_docs_on_a_fresh_machine() -> None:
    """pip is upgraded (--group needs 25.1) before the docs group is installed, as CI does."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    upgrade = readme.index(".venv-docs/bin/python -m pip install --upgrade pip")
    group = readme.index(".venv-docs/bin/python -m pip install --group docs -e .")
    assert upgrade < group < readme.index(".venv-docs/bin/mkdocs build --strict")
    assert "25.1" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.index("pip install --quiet --upgrade pip") < ci.index("--group docs")
