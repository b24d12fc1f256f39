"""Shapes a hostile or a huge post can take, each a body made for a size ``n``.

Each entry is ``(make, n)``: ``make(n)`` is the body, ``n`` the size the growth
test starts from (``test_growth.py``: twice as much takes at most 2.5 times as
long); ``bench/shapes.py`` makes each of them 10 MB and times it.
"""

from __future__ import annotations

from collections.abc import Callable

Shapes = dict[str, tuple[Callable[[int], str], int]]

SHAPES: Shapes = {
    # shape: (body for n, n)
    "backtick run": (lambda n: "<p>" + "`" * n + "</p>", 40_000),
    "star and underscore runs": (lambda n: "<p>" + "*_" * n + "</p>", 20_000),
    "bold run": (lambda n: "<p>" + "<b>x</b>" * n + "</p>", 10_000),
    "bold words": (lambda n: "<p>" + "<b>x</b> " * n + "</p>", 10_000),
    "span run": (lambda n: "<p>" + "<span>word</span> " * n + "</p>", 10_000),
    "emphasis alternating": (lambda n: "<p>" + "<em>a</em><b>b</b>" * n + "</p>", 4_000),
    "nested spans": (lambda n: "<span>" * n + "x" + "</span>" * n, 4_000),
    "one huge paragraph": (lambda n: "<p>" + "一段很长的文字，" * n + "</p>", 20_000),
    "sibling paragraphs": (lambda n: "".join(f"<p>p{i}</p>" for i in range(n)), 4_000),
    "table rows": (lambda n: "<table>" + "<tr><td>a</td><td>b</td></tr>" * n + "</table>", 2_000),
    "links": (
        lambda n: "<p>" + "".join(f'<a href="/{i}">l</a> ' for i in range(n)) + "</p>",
        4_000,
    ),
    "line breaks": (lambda n: "<p>" + "x<br>" * n + "</p>", 10_000),
    "long attribute": (lambda n: f'<p><img src="/a.png" alt="{"a" * n}"></p>', 200_000),
    "entity run": (lambda n: "<p>" + "&amp;&lt;&#x4e2d;" * n + "</p>", 20_000),
    # an <svg> is kept whole up to its end tag: unclosed ones must not cost a scan each
    "unclosed svg tags": (lambda n: "<p>x</p>" + "<svg a>" * n, 20_000),
}


#: Markdown bodies with inline HTML: each island is converted in its place, and must
#: find its line and paragraph without searching the text around it
MARKDOWN_SHAPES: Shapes = {
    "links on one line": (lambda n: "".join(f'<a href="/{i}">l</a> ' for i in range(n)), 1_000),
    "escapes on one line": (lambda n: "".join(f"<b>a*b_{i}</b> " for i in range(n)), 4_000),
    "unclosed tags then stray end tags": (lambda n: "x " + "<i>" * n + "</b>" * n, 4_000),
    "line breaks on one line": (lambda n: "x<br>" * n, 8_000),
    "islands holding blocks": (lambda n: "x " + "<span><p>a</p><p>b</p></span> " * n, 1_000),
    "a dash line of islands": (lambda n: "<span>-</span>" * n, 1_000),
    # kramdown's markdown="1" content is read as Markdown, one level deep: no recursion
    "nested markdown=1 elements": (
        lambda n: '<div markdown="1">\n' * n + "**x**\n" + "</div>\n" * n,
        2_000,
    ),
}
