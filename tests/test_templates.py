"""Template tags and shortcodes: recognised, kept byte for byte, code shortcodes made fences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postconv.post.placeholders import Placeholders
from postconv.post.templates import opens_shortcode, protect


def kept(body: str) -> list[str]:
    """The stretches of ``body`` that protect() replaced by tokens, in order."""
    placeholders = Placeholders()
    protect(body, placeholders)
    return [item.text for item in placeholders.items]


def converted(body: str, dialect: str = "html") -> str:
    """``body`` protected and put back, as the final restore writes it."""
    placeholders = Placeholders()
    placeholders.dialect = dialect
    return placeholders.restore(protect(body, placeholders))


RECOGNISED = [
    ("liquid output", "Hi {{ page.title }}!", ["{{ page.title }}"]),
    ("liquid tag", "See {% include note.html %} here", ["{% include note.html %}"]),
    ("liquid tags around text", "{% if a %}*x*{% endif %}", ["{% if a %}", "{% endif %}"]),
    (
        "highlight block, HTML inside kept whole",
        '{% highlight xml %}\n<Table name="emp"/>\n{% endhighlight %}\n\n<p>after</p>',
        ['{% highlight xml %}\n<Table name="emp"/>\n{% endhighlight %}'],
    ),
    ("raw block", "{% raw %}{{ not a tag }}{% endraw %}", ["{% raw %}{{ not a tag }}{% endraw %}"]),
    (
        "octopress codeblock, HTML inside kept whole",
        "{% codeblock lang:html %}\n<p>Hello <b>world</b></p>\n{% endcodeblock %}\n\n<p>x</p>",
        ["{% codeblock lang:html %}\n<p>Hello <b>world</b></p>\n{% endcodeblock %}"],
    ),
    (
        "hexo code block",
        '{% code lang:js %}\nif (a < 3) { b = "<i>" }\n{% endcode %}',
        ['{% code lang:js %}\nif (a < 3) { b = "<i>" }\n{% endcode %}'],
    ),
    (
        "comment block with whitespace control",
        "{%- comment -%}\n<b>x</b>\n{%- endcomment -%}",
        ["{%- comment -%}\n<b>x</b>\n{%- endcomment -%}"],
    ),
    (
        "inline svg drawing, nested svg and all",
        '<p>a</p>\n<svg viewBox="0 0 9 9"><svg x="1"><circle r="1"/></svg><text>Hi</text></svg>',
        ['<svg viewBox="0 0 9 9"><svg x="1"><circle r="1"/></svg><text>Hi</text></svg>'],
    ),
    ("mathml formula", "x <math><mi>x</mi></math> y", ["<math><mi>x</mi></math>"]),
    ("hugo shortcode", 'x {{< figure src="a.png" >}} y', ['{{< figure src="a.png" >}}']),
    ("hugo markdown shortcode", "{{% note %}}x{{% /note %}}", ["{{% note %}}", "{{% /note %}}"]),
    (
        "hugo highlight block",
        "{{< highlight go >}}\nfunc f[T any]() <T>\n{{< /highlight >}}",
        ["{{< highlight go >}}\nfunc f[T any]() <T>\n{{< /highlight >}}"],
    ),
    ("wordpress shortcode with attributes", '[gallery ids="1,2"]', ['[gallery ids="1,2"]']),
    ("known wordpress shortcode alone", "[toc]", ["[toc]"]),
    ("paired wordpress shortcode", "[embed]http://y.com/v[/embed]", ["[embed]", "[/embed]"]),
    ("unknown name, but paired", "[foo]x[/foo]", ["[foo]", "[/foo]"]),
    (
        "wordpress.com's name=value form",
        "[youtube=http://y.com/w?v=a&amp;w=640] [/x]",
        ["[youtube=http://y.com/w?v=a&amp;w=640]", "[/x]"],
    ),
    (
        "a shortcode followed by its closer",
        '[audio mp3="x.mp3"][/audio]',
        ['[audio mp3="x.mp3"]', "[/audio]"],
    ),
    (
        "shortcodes side by side",
        '[contact-form][contact-field label="N" /][/contact-form]',
        ["[contact-form]", '[contact-field label="N" /]', "[/contact-form]"],
    ),
    ("excerpt marker", "a<!--more-->b", ["<!--more-->"]),
]


@pytest.mark.parametrize(
    ("body", "tokens"), [pytest.param(*case[1:], id=case[0]) for case in RECOGNISED]
)
def test_templates_are_recognised(body: str, tokens: list[str]) -> None:
    assert kept(body) == tokens


NOT_TEMPLATES = [
    ("a bracketed word", "See [this] and [that one]."),
    ("a link, a reference link, a definition", "[link](u) and [ref][1]\n\n[1]: http://a.com"),
    ("caption is left to the HTML conversion", '[caption id="1"]<img src="x"> c[/caption]'),
    ("an escaped shortcode is text", "\\[php]echo 1;\\[/php]"),
    ("liquid in a code span", "Use `{{ site.url }}` there."),
    ("liquid in fenced code", "```\n{% include x.html %}\n```\n"),
    ("an unclosed liquid tag", "a {% if x and no end"),
    ("an ordinary comment", "<!-- note -->"),
    ("brackets across a tag", "[b <i>x</i>]"),
    ("attributes spanning a blank line", '[gallery ids="1\n\n2"]'),
    ("name=value of an unknown name", "[name=value]"),
    ("code language names never closed", "[[WikiWord]] or [[Perl]] or [python]."),
    ("a known name as a link's text", "[gallery][1]"),
    ("an output tag unclosed before a blank line", 'src="{{ site.ss=" x\n\nMore text. }}'),
    ("a tag unclosed before a blank line", "{% if x\n\nMore text. %}"),
    ("a shortcode tag unclosed before a blank line", "{{< figure\n\nMore text. >}}"),
    ("an svg never closed", '<svg width="9"><circle r="1"/>'),
    ("a tag whose name starts with math", "<mathematics>x</mathematics>"),
]


@pytest.mark.parametrize("body", [pytest.param(case[1], id=case[0]) for case in NOT_TEMPLATES])
def test_not_templates_are_left_as_text(body: str) -> None:
    assert kept(body) == []


@pytest.mark.parametrize(
    "body",
    [
        "Hi {{ page.title }} and {% include x.html %} end",
        '{% highlight xml %}\n<Table name="emp"/>\n{% endhighlight %}\n\n<p>after</p>',
        '<img src="{{ site.url }}/a_b.png"> {{< ref "a_b.md" >}}',
        "[gallery ids='1'] [embed]u[/embed] {% raw %}{{ x }}{% endraw %}",
        "> {% include quote.html %}\n",
    ],
)
def test_templates_come_back_byte_for_byte(body: str) -> None:
    assert converted(body) == body


def test_a_token_is_one_opaque_word() -> None:
    placeholders = Placeholders()
    protected = protect("a {{ x_y }} *b*", placeholders)
    assert "{" not in protected and "_" not in protected
    assert protected.startswith("a ") and protected.endswith(" *b*")


def test_what_a_highlight_block_holds_is_never_parsed() -> None:
    placeholders = Placeholders()
    protected = protect(
        '{% highlight xml %}\n<Table name="emp"/>\n{% endhighlight %}', placeholders
    )
    assert "<" not in protected


def test_a_template_alone_on_its_line_is_a_block_token() -> None:
    placeholders = Placeholders()
    protect("text\n{% include a.html %}\nmore {{ b }} text", placeholders)
    assert [item.block for item in placeholders.items] == [True, False]


def test_a_block_template_knows_the_indentation_its_lines_hold() -> None:
    placeholders = Placeholders()
    protect("1. a\n   {% raw %}\n   x\n   {% endraw %}\n\t{% include b %}", placeholders)
    assert [item.indent for item in placeholders.items] == ["   ", "\t"]


def test_the_excerpt_marker_goes_on_a_line_of_its_own() -> None:
    assert converted("a<!--more-->b") == "a\n\n<!--more-->\n\nb"


CODE_SHORTCODES = [
    (
        "sourcecode with language",
        '[sourcecode language="python"]\nprint(1 < 2)\n[/sourcecode]',
        "```python\nprint(1 < 2)\n```",
    ),
    ("code with lang, single quotes", "[code lang='js']a && b[/code]", "```js\na && b\n```"),
    ("code with an unquoted lang", "[code lang=ruby]p 1[/code]", "```ruby\np 1\n```"),
    ("smart quotes", "[sourcecode language=“ruby”]p 1[/sourcecode]", "```ruby\np 1\n```"),
    ("quotes as entities", "[code language=&quot;Go&quot;]x[/code]", "```go\nx\n```"),
    ("a language as the name", "[php]echo 1;[/php]", "```php\necho 1;\n```"),
    ("another language name", "[python]x = 1[/python]", "```python\nx = 1\n```"),
    ("no language", "[code]x\n\ny[/code]", "```\nx\n\ny\n```"),
    ("closed as jekyll-import wrote it", "[bash]ls[&#47;bash]", "```bash\nls\n```"),
    (
        "editor HTML inside",
        '[code lang="js"]a &amp;&amp; b<br />\nc[/code]',
        "```js\na && b\nc\n```",
    ),
    (
        "wpautop paragraphs inside",
        "[sourcecode]\n<p>line1<br />\nline2</p><p>line3</p>\n[/sourcecode]",
        "```\nline1\nline2\n\nline3\n```",
    ),
    ("backticks inside get a longer fence", "[code]```\n~~~[/code]", "````\n```\n~~~\n````"),
    (
        "tags of its own, typed as they are, shown as they are",
        '[code lang="html"]\n<div class="box">\n  <b>Hi</b> <a href="/x">x</a>\n</div>\n[/code]',
        '```html\n<div class="box">\n  <b>Hi</b> <a href="/x">x</a>\n</div>\n```',
    ),
    (
        "a tag in a string of code",
        '[sourcecode language="php"]echo "<b>$a</b>";[/sourcecode]',
        '```php\necho "<b>$a</b>";\n```',
    ),
    (
        "escaped by the editor: its formatting tags go",
        '[code lang="html"]&lt;div&gt;<strong>x</strong>&lt;/div&gt;[/code]',
        "```html\n<div>x</div>\n```",
    ),
]


@pytest.mark.parametrize(
    ("body", "fenced"), [pytest.param(*case[1:], id=case[0]) for case in CODE_SHORTCODES]
)
def test_code_shortcodes_become_fenced_code(body: str, fenced: str) -> None:
    assert converted(body) == fenced


def test_code_shortcode_in_markdown_loses_the_exporter_s_escapes() -> None:
    assert converted("[python]a\\_b = 1[/python]", "markdown") == "```python\na_b = 1\n```"
    assert converted("[python]a\\_b = 1[/python]", "html") == "```python\na\\_b = 1\n```"


def test_code_shortcode_is_fed_to_the_html_parser_as_pre() -> None:
    placeholders = Placeholders()
    protected = protect("<p>x</p>[php]if (a < b) {}[/php]", placeholders)
    assert placeholders.html(protected) == (
        '<p>x</p><pre class="language-php">if (a &lt; b) {}</pre>'
    )


def test_a_code_shortcode_mid_paragraph_splits_it() -> None:
    assert converted("Use [php]echo 1;[/php] here.") == "Use\n\n```php\necho 1;\n```\n\nhere."


@pytest.mark.parametrize(
    ("text", "opens"),
    [
        ("[php]x[/php]", True),  # a code shortcode, with its closer
        ("[sourcecode]x[/sourcecode]", True),
        ("[code lang=py]", True),  # attributes, though never closed
        ("[php]", False),  # a code shortcode's name, never closed: text
        ("[sourcecode]", False),
        ("[python]] or [[perl]]", False),
        ("[youtube=http://y.com/w?v=a&amp;w=1]", True),  # WordPress.com's [name=value]
        ("[unknown=value]", False),
        ('[audio mp3="x.mp3"][/audio]', True),  # followed by its closer, not a label
        ("[contact-form][contact-field a=b /][/contact-form]", True),
        ("[gallery][1]", False),  # a reference link
        ("[/anything]", True),  # a closing shortcode
        ("[gallery]", True),  # a known WordPress shortcode
        ("[a b=c]", True),  # attributes
        ("[my_widget]", True),  # an underscore: a plugin's shortcode
        ("[x]y[/x]", True),  # closed later
        ("[see this]", False),
        ("[a](u)", False),  # a link
        ("[x][y]", False),  # a reference link
        ("[note]: http://a", False),  # a reference definition
        ("[caption]", False),  # left to the HTML conversion
        ("[b <i>x</i>]", False),
    ],
)
def test_opens_shortcode(text: str, opens: bool) -> None:
    assert opens_shortcode(text, 0) is opens


#: text made of shortcode-shaped pieces: names of each kind, closers, links, labels
SHORTCODE_TEXT = st.lists(
    st.sampled_from(
        [
            *("[php]", "[/php]", "[&#47;php]", "[code lang=py]", "[/code]", "[gallery]"),
            *("[youtube=u&amp;v]", "[name=v]", "[foo]", "[/foo]", "[my_x]", "[a b=c]"),
            *("[caption]", "[1]", "[", "]", "(u)", ":", " ", "x", "\n", "\n\n", "<b>"),
        ]
    ),
    max_size=16,
).map("".join)


@given(SHORTCODE_TEXT)
def test_opens_shortcode_agrees_with_protect(text: str) -> None:
    for at in (index for index, char in enumerate(text) if char == "["):
        protected = protect(text[at:], Placeholders())
        assert opens_shortcode(text, at) is (protected[:1] in ("\ue000", "\ue002")), at


def test_opens_shortcode_looks_at_the_given_position() -> None:
    text = "Type [php] to start, [/php] to end"
    assert opens_shortcode(text, text.index("["))
    assert not opens_shortcode(text, 0)
