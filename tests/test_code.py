"""Code cleaning passes: every line kept, the language named, highlighter tables undone."""

from __future__ import annotations

import pytest
from lxml import etree

from postconv.html import clean, code
from postconv.options import Options


def run(cleaning_pass: clean.Pass, source: str) -> str:
    root = clean.parse(source)
    cleaning_pass(root, Options())
    inner = etree.tostring(root, encoding="unicode", method="html", with_tail=False)
    return inner.removeprefix("<div>").removesuffix("</div>")


def language(start_tag: str, bare_names: bool = True) -> str:
    return code.code_language(clean.parse(start_tag + "x</pre>")[0], bare_names)


LANGUAGES = [
    ('<pre class="language-python">', "python"),
    ('<pre class="lang-js">', "js"),
    ('<pre class="highlight-ruby">', "ruby"),
    ('<pre class="highlight-source-go">', "go"),
    ('<pre class="brush: php; gutter: false">', "php"),  # SyntaxHighlighter
    ('<pre class="brush:Bash">', "bash"),
    ('<pre data-lang="Rust">', "rust"),
    ('<pre data-language="c">', "c"),
    ('<pre class="language-c++">', "c++"),
    ('<pre class="language-c#">', "c#"),
    ('<pre class="r">', "r"),  # a bare class that is a language name
    ('<pre class="py">', "py"),
    ('<pre class="sourceCode python">', "python"),
    ('<pre class="wp-block-code">', ""),
    ('<pre class="prettyprint linenums">', ""),
    ('<pre class="highlight">', ""),
    ('<pre class="javascript-code">', ""),
    ("<pre>", ""),
]


@pytest.mark.parametrize(("start_tag", "expected"), LANGUAGES)
def test_code_language(start_tag: str, expected: str) -> None:
    assert language(start_tag) == expected


def test_bare_names_can_be_ignored() -> None:
    assert language('<pre class="r">', bare_names=False) == ""
    assert language('<pre class="lang-r">', bare_names=False) == "r"


LABELS = [
    (
        "Crayon's lang:x class",
        '<pre class="lang:php decode:true">x</pre>',
        '<pre class="language-php">x</pre>',
    ),
    ("Crayon's lang:default names none", '<pre class="lang:default">x</pre>', "<pre>x</pre>"),
    (
        "WP-Syntax's lang attribute",
        '<pre lang="javascript" line="1">x</pre>',
        '<pre lang="javascript" line="1" class="language-javascript">x</pre>',
    ),
    ("a human language's lang attribute", '<pre lang="en">x</pre>', '<pre lang="en">x</pre>'),
    (
        "from the inner <code>",
        '<pre><code class="language-go">x</code></pre>',
        '<pre class="language-go"><code>x</code></pre>',
    ),
    (
        "from a wrapper's prefixed class",
        '<div class="highlight-python"><pre>x</pre></div>',
        '<div class="highlight-python"><pre class="language-python">x</pre></div>',
    ),
    (
        "not from a wrapper's bare class",
        '<div class="r"><pre>x</pre></div>',
        '<div class="r"><pre>x</pre></div>',
    ),
    ("brush is rewritten", '<pre class="brush: js">x</pre>', '<pre class="language-js">x</pre>'),
    (
        "data-lang on the code",
        '<pre><code data-lang="sql">x</code></pre>',
        '<pre class="language-sql"><code data-lang="sql">x</code></pre>',
    ),
]


@pytest.mark.parametrize(("source", "expected"), [pytest.param(*c[1:], id=c[0]) for c in LABELS])
def test_label_code_languages(source: str, expected: str) -> None:
    assert run(code.label_code_languages, source) == expected


LINE_BREAKS = [
    (
        "<br> then a newline is one line",
        "<pre>import os<br />\nimport sys</pre>",
        "<pre>import os\nimport sys</pre>",
    ),
    ("two <br> are a blank line", "<pre>a<br>b<br><br>c</pre>", "<pre>a\nb\n\nc</pre>"),
    ("wpautop paragraphs are blank lines", "<pre><p>a</p><p>b</p></pre>", "<pre>a\n\nb</pre>"),
    ("a paragraph after text", "<pre>x\n<p>a</p></pre>", "<pre>x\n\na</pre>"),
    ("divs are lines", "<pre><div>a</div><div>b</div></pre>", "<pre>a\nb</pre>"),
    ("inline code too", "<p><code>a<br>b</code></p>", "<p><code>a\nb</code></p>"),
    (
        "tabs, indentation and blank lines",
        "<pre>\tindent\n\n  two</pre>",
        "<pre>\tindent\n\n  two</pre>",
    ),
    ("a <br> outside code is left", "<p>a<br>b</p>", "<p>a<br>b</p>"),
]


@pytest.mark.parametrize(
    ("source", "expected"), [pytest.param(*c[1:], id=c[0]) for c in LINE_BREAKS]
)
def test_code_line_breaks(source: str, expected: str) -> None:
    assert run(code.code_line_breaks, source) == expected


MULTILINE = [
    ("on lines of its own", "<code>a\nb</code>", "<pre>a\nb</pre>"),
    ("between line breaks", "text<br><code>a\nb</code><br>more", "text<br><pre>a\nb</pre><br>more"),
    (
        "inside an inline wrapper",
        "<p><span><code>a\nb</code></span></p>",
        "<p><span><pre>a\nb</pre></span></p>",
    ),
    (
        "mid-sentence stays a span",
        "<p>see <code>a\nb</code> here</p>",
        "<p>see <code>a\nb</code> here</p>",
    ),
    ("one line stays a span", "<p><code>one line</code></p>", "<p><code>one line</code></p>"),
]


@pytest.mark.parametrize(("source", "expected"), [pytest.param(*c[1:], id=c[0]) for c in MULTILINE])
def test_multiline_code_to_blocks(source: str, expected: str) -> None:
    assert run(code.multiline_code_to_blocks, source) == expected


TABLES = [
    (
        "Crayon: one div per line",
        '<table class="crayon"><tr><td class="gutter"><div>1</div><div>2</div></td>'
        '<td class="code"><div class="line">a = 1</div><div class="line">  b</div></td>'
        "</tr></table>",
        "<pre>a = 1\n  b</pre>",
    ),
    (
        "SyntaxHighlighter: language from the wrapper",
        '<div class="syntaxhighlighter python"><table><tr><td class="gutter">'
        '<div class="line number1">1</div><div class="line number2">2</div></td>'
        '<td class="code"><div class="container"><div class="line number1"><code>import</code> '
        '<code>os</code></div><div class="line number2"><code>x</code></div></div></td></tr>'
        "</table></div>",
        '<div class="syntaxhighlighter python">'
        '<pre class="language-python">import os\nx</pre></div>',
    ),
    (
        "a gutter <pre> beside a code <pre>, tabs kept",
        '<table class="highlight"><tr><td><pre>1\n2\n3</pre></td>'
        "<td><pre>a\n\tb\nc</pre></td></tr></table>",
        "<pre>a\n\tb\nc</pre>",
    ),
    (
        "WP-Syntax: language from the code cell's <pre>",
        '<div class="wp_syntax"><table><tr><td class="line_numbers"><pre>1\n2\n</pre></td>'
        '<td class="code"><pre class="php">echo 1;\necho 2;</pre></td></tr></table></div>',
        '<div class="wp_syntax"><pre class="language-php">echo 1;\necho 2;</pre></div>',
    ),
    (
        "line numbers and code with <br>",
        '<table><tr><td>1<br>2</td><td class="code">a<br>b</td></tr></table>',
        "<pre>a\nb</pre>",
    ),
]


@pytest.mark.parametrize(("source", "expected"), [pytest.param(*c[1:], id=c[0]) for c in TABLES])
def test_highlighter_tables_become_one_pre(source: str, expected: str) -> None:
    assert run(code.highlighter_tables_to_code, source) == expected


@pytest.mark.parametrize(
    "source",
    [
        "<table><tr><td>1</td><td>Alice</td></tr><tr><td>2</td><td>Bob</td></tr></table>",
        '<table><tr><td>Year</td><td class="code">x</td></tr></table>',
        "<table><tr><td>1</td><td>a</td><td>b</td></tr></table>",
    ],
    ids=["numbered data rows", "a header that is no line number", "three cells"],
)
def test_data_tables_stay_tables(source: str) -> None:
    assert run(code.highlighter_tables_to_code, source).startswith("<table>")
