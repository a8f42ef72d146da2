import base64
import math
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from matplotlib.figure import Figure

from npssim.report.document import Document

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track"}
    | {"wbr"}
)


class TagChecker(HTMLParser):
    """Records tags, attributes and nesting errors of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.declarations: list[str] = []

    def handle_decl(self, decl):
        self.declarations.append(decl)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            self.errors.append(f"closing void element </{tag}>")
        elif not self.stack:
            self.errors.append(f"</{tag}> with nothing open")
        elif self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1]}>")
        else:
            self.stack.pop()


def parse(page: str) -> TagChecker:
    checker = TagChecker()
    checker.feed(page)
    checker.close()
    return checker


def tiny_figure(values=(1, 3, 2)):
    figure = Figure(figsize=(2, 2))
    figure.subplots().plot(list(values))
    return figure


def numbers_frame():
    return pd.DataFrame(
        {
            "metric": ["reported NPS", "churn"],
            "change": ["+1.2", "-0.4"],
            "share": ["12.3%", "n/a"],
            "cost": ["1,234", "56"],
            "estimate": ["0.52 [0.41, 0.63]", "0.10 [0.02, 0.18]"],
        }
    )


def full_document():
    document = Document("Baseline vs quota", "seed 1, 104 weeks")
    document.heading("Summary")
    document.paragraph("Reported NPS rose by **12 points** while `true_nps` fell.")
    document.bullets(["cherry-picking up", "concessions `cost` money"])
    document.heading("Details", level=3)
    document.table(numbers_frame(), caption="Goods and bads")
    document.figure(tiny_figure(), "nps", caption="Reported vs true NPS")
    document.figure(tiny_figure((2, 1, 2)), "tactics")
    return document


def markdown_table_lines(markdown):
    return [line for line in markdown.splitlines() if line.startswith("|")]


def test_html_is_well_formed():
    page = full_document().to_html()
    checker = parse(page)
    assert checker.errors == []
    assert checker.stack == []
    assert checker.declarations == ["DOCTYPE html"]
    assert page.startswith("<!DOCTYPE html>")
    assert ("meta", {"charset": "utf-8"}) in checker.tags
    assert "<title>Baseline vs quota</title>" in page


def test_tag_checker_catches_unclosed_and_misnested_tags():
    assert parse("<p><strong>x</p>").errors != []
    assert parse("<div><p>x</p>").stack == ["div"]


def test_every_figure_is_embedded_as_png_data_uri():
    checker = parse(full_document().to_html())
    sources = [attrs["src"] for tag, attrs in checker.tags if tag == "img"]
    assert len(sources) == 2
    for source in sources:
        prefix = "data:image/png;base64,"
        assert source.startswith(prefix)
        assert base64.b64decode(source[len(prefix) :], validate=True).startswith(PNG_SIGNATURE)


def test_html_loads_no_external_resource():
    page = full_document().to_html()
    checker = parse(page)
    for tag, attrs in checker.tags:
        for attribute in ("src", "href"):
            value = attrs.get(attribute)
            if value is not None:
                assert value.startswith("data:") or value.startswith("#"), (tag, value)
    assert not any(tag == "link" for tag, _ in checker.tags)
    assert "@import" not in page and "url(" not in page


def test_html_has_no_javascript():
    checker = parse(full_document().to_html())
    assert not any(tag == "script" for tag, _ in checker.tags)
    handlers = [name for _, attrs in checker.tags for name in attrs if name.startswith("on")]
    assert handlers == []


def test_html_shows_title_subtitle_and_captions():
    page = full_document().to_html()
    assert "<h1>Baseline vs quota</h1>" in page
    assert '<p class="subtitle">seed 1, 104 weeks</p>' in page
    assert '<span class="label">Table 1.</span> Goods and bads</caption>' in page
    assert '<span class="label">Figure 1.</span> Reported vs true NPS</figcaption>' in page


def test_markdown_right_aligns_numeric_columns():
    document = Document("t")
    document.table(numbers_frame())
    header, separator, *_ = markdown_table_lines(document.to_markdown())
    cells = [cell.strip() for cell in separator.strip("|").split("|")]
    assert [cell.endswith(":") for cell in cells] == [False, True, True, True, True]
    assert all(re.fullmatch(r"-+:?", cell) for cell in cells)
    names = [cell.strip() for cell in header.strip("|").split("|")]
    assert names == ["metric", "change", "share", "cost", "estimate"]


def test_html_right_aligns_numeric_columns_only():
    document = Document("t")
    document.table(numbers_frame())
    checker = parse(document.to_html())
    header_classes = [attrs.get("class") for tag, attrs in checker.tags if tag == "th"]
    assert header_classes == [None, "num", "num", "num", "num"]
    first_row = [attrs.get("class") for tag, attrs in checker.tags if tag == "td"][:5]
    assert first_row == [None, "num", "num", "num", "num"]


def test_column_with_one_word_is_not_numeric():
    document = Document("t")
    document.table(pd.DataFrame({"value": ["1.5", "high"]}))
    _, separator, *_ = markdown_table_lines(document.to_markdown())
    assert not separator.rstrip("| ").endswith(":")


def test_float_cells_get_four_significant_digits_and_nan_is_na():
    document = Document("t")
    document.table(pd.DataFrame({"x": [math.pi, math.nan, 1234567.0]}))
    rows = [line.strip("| ") for line in markdown_table_lines(document.to_markdown())[2:]]
    assert rows == ["3.142", "n/a", "1.235e+06"]


def test_pipe_in_markdown_cell_is_escaped_and_newline_becomes_space():
    document = Document("t")
    document.table(pd.DataFrame({"name": ["a|b", "two\nlines"]}))
    lines = markdown_table_lines(document.to_markdown())
    assert lines[2].strip() == r"| a\|b      |"
    assert lines[3].strip() == "| two lines |"


def test_script_in_paragraph_is_escaped_in_html():
    document = Document("t")
    document.paragraph('<script>alert("x")</script> & more')
    page = document.to_html()
    assert "<script>" not in page
    assert "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more</p>" in page


def test_tag_in_paragraph_does_not_become_raw_html_in_markdown():
    document = Document("t")
    document.paragraph("<b>not bold</b> and 3 < 4")
    assert r"\<b>not bold\</b> and 3 < 4" in document.to_markdown()


def test_backticks_and_double_stars_become_code_and_strong():
    document = Document("t")
    document.paragraph("use `a<b` and **care**, not `**this**`")
    page = document.to_html()
    assert (
        "<p>use <code>a&lt;b</code> and <strong>care</strong>, not <code>**this**</code></p>"
        in (page)
    )
    assert "use `a<b` and **care**, not `**this**`" in document.to_markdown()


def test_bullets_render_as_list_in_both_formats():
    document = Document("t")
    document.bullets(["first **one**", "second"])
    assert "- first **one**\n- second" in document.to_markdown()
    assert "<ul>\n<li>first <strong>one</strong></li>\n<li>second</li>\n</ul>" in document.to_html()


def test_index_becomes_leading_row_header_column_when_asked():
    frame = pd.DataFrame({"value": ["1.0", "2.0"]}, index=pd.Index(["a", "b"], name="scenario"))
    document = Document("t")
    document.table(frame, index=True)
    lines = markdown_table_lines(document.to_markdown())
    assert [cell.strip() for cell in lines[0].strip("|").split("|")] == ["scenario", "value"]
    assert '<th scope="row">a</th><td class="num">1.0</td>' in document.to_html()


def test_heading_levels_outside_two_to_four_raise():
    document = Document("t")
    for level in (1, 5):
        with pytest.raises(ValueError, match="level"):
            document.heading("x", level=level)


def test_markdown_links_figures_into_the_figure_folder():
    markdown = full_document().to_markdown(figure_dir="img")
    assert "![Reported vs true NPS](img/nps.png)" in markdown
    assert "![tactics](img/tactics.png)" in markdown
    assert "*Figure 1.* Reported vs true NPS" in markdown


@pytest.mark.parametrize("name", ["", "a b", "../up", "nps.png", "ä", "a/b"])
def test_bad_figure_names_raise(name):
    document = Document("t")
    with pytest.raises(ValueError, match="figure name"):
        document.figure(tiny_figure(), name)


def test_duplicate_figure_name_raises_ignoring_case():
    document = Document("t")
    document.figure(tiny_figure(), "nps")
    with pytest.raises(ValueError, match="already used"):
        document.figure(tiny_figure(), "NPS")


def test_same_content_gives_identical_html_bytes():
    first = full_document().to_html().encode("utf-8")
    second = full_document().to_html().encode("utf-8")
    assert first == second


def test_save_writes_every_file_and_leaves_no_temporary(tmp_path):
    folder = tmp_path / "out"
    paths = full_document().save(folder)
    assert paths == [
        folder / "figures" / "nps.png",
        folder / "figures" / "tactics.png",
        folder / "report.md",
        folder / "report.html",
    ]
    assert all(path.is_file() and path.stat().st_size > 0 for path in paths)
    on_disk = sorted(path for path in folder.rglob("*") if path.is_file())
    assert on_disk == sorted(paths)
    assert (folder / "figures" / "nps.png").read_bytes().startswith(PNG_SIGNATURE)


def test_saved_markdown_links_resolve_to_saved_figures(tmp_path):
    full_document().save(tmp_path, stem="summary")
    markdown = (tmp_path / "summary.md").read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert links == ["figures/nps.png", "figures/tactics.png"]
    assert all((tmp_path / link).is_file() for link in links)


def test_save_without_figures_creates_no_figure_folder(tmp_path):
    document = Document("t")
    document.paragraph("text only")
    paths = document.save(tmp_path)
    assert paths == [tmp_path / "report.md", tmp_path / "report.html"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["report.html", "report.md"]


def test_save_refuses_a_stem_that_is_a_path(tmp_path):
    with pytest.raises(ValueError, match="stem"):
        Document("t").save(tmp_path, stem="../report")


def test_figures_are_rendered_at_120_dpi_with_their_pixel_size_declared():
    document = Document("t")
    document.figure(tiny_figure(), "nps")
    image = next(attrs for tag, attrs in parse(document.to_html()).tags if tag == "img")
    png = base64.b64decode(image["src"].split(",", 1)[1])
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (240, 240)
    assert (image["width"], image["height"]) == ("240", "240")


def test_html_report_renders_in_a_browser(browser, tmp_path):
    full_document().save(tmp_path / "out")
    browser.get((tmp_path / "out" / "report.html").as_uri())
    drawn = browser.execute_script(
        "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length"
    )
    assert drawn == 2
    assert browser.title == "Baseline vs quota"
    body = browser.find_element("tag name", "body").text
    assert "Goods and bads" in body and "Reported vs true NPS" in body
