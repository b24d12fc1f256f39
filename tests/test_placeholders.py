"""Tokens that stand for untouchable text: what goes in comes back, byte for byte."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from postconv.pipeline import convert
from postconv.post.placeholders import Placeholders, inline_tokens
from postconv.post.templates import protect

#: the private-use characters tokens are made of (openers of both registries, digits,
#: the closer), and their neighbours
PRIVATE = "\ue000\ue001\ue002\ue003\ue004\ue005\ue010\ue011\ue0ff\ue100"
#: runs shaped like whole tokens of either registry
FORGED = [
    "\ue000\ue010\ue001",
    "\ue002\ue011\ue001",
    "\ue004\ue010\ue001",
    "\ue000\ue010\ue011\ue001",
]
#: text holding them
TEXT = st.lists(st.sampled_from([*"ab <>*_\n\t\\[]{}%", *PRIVATE, *FORGED])).map("".join)

#: template-bearing bodies; multi-line templates open a line of their own, some indented
PIECES = st.sampled_from(
    [
        "word",
        " ",
        "\n",
        "\n\n",
        "*em*",
        "<b>x</b>",
        "\\[",
        "{{ page.title }}",
        "{% include a.html %}",
        "\n{% raw %}\n{{ y }}\n{% endraw %}\n",
        "\n{% highlight py %}\nif a < b:\n    pass\n{% endhighlight %}\n",
        "\n   {% highlight py %}\n   if a:\n\n       pass\n   {% endhighlight %}\n",
        "\n  {% raw %}\n{{ lazy }}\n    \n  {% endraw %}  \n",
        "\n\t{% comment %}\n\tx\n\t{% endcomment %}\n",
        "  \n",
        '{{< figure src="a.png" >}}',
        "{{% note %}}",
        "[gallery]",
        "[embed]u[/embed]",
        "`{{ in code }}`",
        "\ue000\ue010",
        "\ue000\ue010\ue001",
        "\ue002\ue011\ue001",
    ]
)


@given(TEXT)
def test_shielded_text_comes_back(text: str) -> None:
    placeholders = Placeholders()
    assert placeholders.restore(placeholders.shield(text)) == text


@given(TEXT)
def test_shielded_text_comes_back_from_inside_tags_and_templates(text: str) -> None:
    placeholders = Placeholders()
    body = f'<a title="{text}">{{{{ {text} }}}}</a> {text}'
    assert placeholders.restore(placeholders.html(protect(body, placeholders))) == body


@given(st.lists(st.sampled_from([*"ab ", *PRIVATE, *FORGED]), min_size=1).map("".join))
def test_a_post_s_private_use_characters_come_back(text: str) -> None:
    converted = convert(f"<p>x {text} y</p>\n<p>{{{{ {text} }}}}</p>\n").text
    assert [char for char in converted if char in PRIVATE] == [
        char for char in text + text if char in PRIVATE
    ]


def test_a_forged_token_is_text() -> None:
    assert convert("<p>x \ue000\ue010\ue001 y</p>").text == "x \ue000\ue010\ue001 y\n"
    placeholders = Placeholders()
    kept = placeholders.add("{{ a }}")
    shielded = placeholders.shield("\ue000\ue010\ue001")
    assert placeholders.restore(f"{kept} {shielded}") == "{{ a }} \ue000\ue010\ue001"


@given(st.lists(PIECES, max_size=12).map("".join))
def test_protected_templates_come_back_byte_for_byte(body: str) -> None:
    placeholders = Placeholders()
    assert placeholders.restore(protect(body, placeholders)) == body


def test_an_indented_block_template_comes_back_as_written() -> None:
    body = "1. one\n   {% highlight py %}\n   x\n\n     y\n   {% endhighlight %}\n2. two"
    placeholders = Placeholders()
    assert placeholders.restore(protect(body, placeholders)) == body
    assert convert(body, name="p.md").text == body + "\n"


def test_a_block_template_moved_takes_its_new_indentation() -> None:
    placeholders = Placeholders()
    token = placeholders.add("{% raw %}\n    x\n  y\n\n    {% endraw %}", True, indent="    ")
    assert placeholders.restore(f"- {token}\n") == ("- {% raw %}\n  x\n  y\n\n  {% endraw %}\n")
    assert placeholders.restore(f"> {token}\n") == ("> {% raw %}\n> x\n> y\n>\n> {% endraw %}\n")


def test_blanks_after_a_template_alone_on_its_line_are_kept() -> None:
    body = '{{< figure src="x" >}}  \nnext\n\n{% include a %}   \nmore'
    placeholders = Placeholders()
    assert placeholders.restore(protect(body, placeholders)) == body
    assert convert(body, name="p.md").text == body + "\n"


def test_text_is_given_back_as_added() -> None:
    placeholders = Placeholders()
    first = placeholders.add("{{ a }}")
    second = placeholders.add("{% b %}")
    assert first != second
    assert placeholders.restore(f"x {first} y {second}") == "x {{ a }} y {% b %}"


def test_many_tokens_stay_distinct() -> None:
    placeholders = Placeholders()
    tokens = [placeholders.add(str(index)) for index in range(1000)]
    assert len(set(tokens)) == 1000
    assert placeholders.restore(" ".join(tokens)) == " ".join(map(str, range(1000)))


def test_a_token_s_text_may_hold_tokens() -> None:
    placeholders = Placeholders()
    inner = placeholders.add("{{ inner }}")
    outer = placeholders.add(f"[x]{inner}[/x]")
    assert placeholders.restore(outer) == "[x]{{ inner }}[/x]"


def test_two_registries_do_not_read_each_other_s_tokens() -> None:
    body, island = Placeholders("body"), Placeholders("island")
    body_token, island_token = body.add("B"), island.add("I")
    assert body.restore(body_token + island_token) == "B" + island_token
    assert island.restore(body_token + island_token) == body_token + "I"


def test_a_block_token_in_a_quote_gives_each_line_the_quote_marker() -> None:
    placeholders = Placeholders()
    token = placeholders.add("{% raw %}\n{{ x }}\n\n{% endraw %}", block=True)
    assert placeholders.restore(f"> {token}\n") == "> {% raw %}\n> {{ x }}\n>\n> {% endraw %}\n"


def test_a_block_token_sharing_its_line_gets_lines_of_its_own() -> None:
    placeholders = Placeholders()
    token = placeholders.add("<!--more-->", block=True)
    assert placeholders.restore(f"a{token}b") == "a\n\n<!--more-->\n\nb"


def test_text_after_a_block_token_stays_text_on_its_new_line() -> None:
    placeholders = Placeholders()
    token = placeholders.add("<!--more-->", block=True)
    assert placeholders.restore(f"a {token} # not a heading") == (
        "a\n\n<!--more-->\n\n\\# not a heading"
    )


def test_inline_tokens_are_put_back_where_they_stand() -> None:
    placeholders = Placeholders()
    token = placeholders.add("{% include x %}", block=True)
    assert placeholders.restore("<p>a " + inline_tokens(token) + " b</p>") == (
        "<p>a {% include x %} b</p>"
    )


def test_code_is_written_as_a_fence_in_the_item_s_language() -> None:
    placeholders = Placeholders()
    token = placeholders.add("[php]echo 1;[/php]", code=("echo 1;", "php"))
    assert placeholders.restore(f"a\n\n{token}\n\nb") == "a\n\n```php\necho 1;\n```\n\nb"


def test_a_fence_in_a_paragraph_gets_blank_lines_around_it() -> None:
    placeholders = Placeholders()
    token = placeholders.add("", code=("x", "py"))
    assert placeholders.restore(f"before\n{token}\nafter") == "before\n\n```py\nx\n```\n\nafter"


def test_a_fence_in_a_list_item_is_indented_under_it() -> None:
    placeholders = Placeholders()
    token = placeholders.add("", code=("x", "php"))
    assert placeholders.restore(f"- item\n\n  {token}\n- next") == (
        "- item\n\n  ```php\n  x\n  ```\n\n- next"
    )


def test_a_fence_opening_a_list_item_s_continuation_line_stays_in_the_item() -> None:
    placeholders = Placeholders()
    token = placeholders.add("", code=("x", "php"))
    assert placeholders.restore(f"- item\n  {token} tail\n- next") == (
        "- item\n\n  ```php\n  x\n  ```\n\n  tail\n- next"
    )
    assert placeholders.restore(f"- {token} tail\n- next") == (
        "- ```php\n  x\n  ```\n\n  tail\n- next"
    )
    assert placeholders.restore(f"> a\n> {token} tail") == "> a\n>\n> ```php\n> x\n> ```\n>\n> tail"


def test_a_code_shortcode_on_a_list_item_s_continuation_line_stays_in_the_list() -> None:
    converted = convert("- item\n  [php]x[/php] tail\n- next", name="p.md").text
    assert converted == "- item\n\n  ```php\n  x\n  ```\n\n  tail\n\n- next\n"


def test_a_block_template_opening_a_list_item_stays_its_content() -> None:
    placeholders = Placeholders()
    token = placeholders.add("{% include x %}", block=True)
    assert placeholders.restore(f"- {token}\n\n- b") == "- {% include x %}\n\n- b"


def test_a_fence_mid_line_in_a_quote_stays_in_the_quote() -> None:
    placeholders = Placeholders()
    token = placeholders.add("", code=("x", "php"))
    assert placeholders.restore(f"> a {token} b") == "> a\n>\n> ```php\n> x\n> ```\n>\n> b"


def test_empty_code_leaves_nothing() -> None:
    placeholders = Placeholders()
    token = placeholders.add("[code][/code]", code=("\n\n", ""))
    assert placeholders.restore(f"a\n\n{token}\n\nb").split() == ["a", "b"]


def test_restore_separate_puts_back_fences_only() -> None:
    placeholders = Placeholders()
    kept = placeholders.add("{{ x }}")
    fence = placeholders.add("", code=("y", ""))
    assert placeholders.has_separate([f"a {fence}"])
    assert not placeholders.has_separate([f"a {kept}"])
    assert placeholders.restore_separate(f"{kept}\n\n{fence}") == f"{kept}\n\n```\ny\n```"


def test_blocks_cuts_at_block_tokens() -> None:
    placeholders = Placeholders()
    block = placeholders.add("{% include a %}", block=True)
    inline = placeholders.add("{{ b }}")
    pieces = placeholders.blocks(f"x\n\n{block}\n\ny {inline}")
    assert [(text, item is not None) for text, item in pieces] == [
        ("x\n\n", False),
        (block, True),
        (f"\n\ny {inline}", False),
    ]
    assert pieces[1][1].text == "{% include a %}"


def test_html_puts_tokens_back_inside_tags_only() -> None:
    placeholders = Placeholders()
    protected = protect('<img src="{{ site.url }}/a.png" alt="{{ t }}"> and {{ x }}', placeholders)
    source = placeholders.html(protected)
    assert source.startswith('<img src="{{ site.url }}/a.png" alt="{{ t }}"> and ')
    assert "{{ x }}" not in source  # outside a tag it stays an opaque token


def test_html_writes_code_as_an_escaped_pre() -> None:
    placeholders = Placeholders()
    token = placeholders.add("", code=("a < b && c", "c"))
    assert placeholders.html(f"<p>x</p>{token}") == (
        '<p>x</p><pre class="language-c">a &lt; b &amp;&amp; c</pre>'
    )
