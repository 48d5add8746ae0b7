"""Helpers for the page tests: a logged-in client, and reading rendered pages the way a user
reads them (by element id, table rows and links).

Pages are read into a tiny tree built with the standard library's HTMLParser: enough for the
project's own templates (which close their tags), and no extra HTML package to install.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.test import Client
from django.utils import translation


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Element:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list, repr=False)  # Element or str

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed as a browser shows it."""
        parts = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else f" {child.text} ")
        return " ".join("".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str) -> list["Element"]:
        return [el for el in self.iter() if el.tag == tag and el is not self]

    def by_id(self, element_id: str) -> "Element | None":
        return next((el for el in self.iter() if el.attrs.get("id") == element_id), None)

    def hrefs(self) -> list[str]:
        return [a.attrs.get("href", "") for a in self.find_all("a")]

    def page_links(self) -> list[str]:
        """The links of the pagination bar."""
        return [href for href in self.hrefs() if "page=" in href]

    def rows(self) -> list[list[str]]:
        """Each table row as the texts of its cells."""
        return [[cell.text for cell in tr.children if _is_cell(cell)] for tr in self.find_all("tr")]


def _is_cell(node) -> bool:
    return isinstance(node, Element) and node.tag in {"td", "th"}


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID_TAGS:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Element(tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(response_or_html) -> Element:
    html = getattr(response_or_html, "content", response_or_html)
    if isinstance(html, bytes):
        html = html.decode()
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def element(response, element_id: str) -> Element:
    found = parse(response).by_id(element_id)
    assert found is not None, f"no element with id={element_id!r} on the page"
    return found


def translated(message: str, language: str = "id") -> str:
    """What a user of `language` reads for this msgid (English until the catalogue has it)."""
    with translation.override(language):
        return str(translation.gettext(message))


def field_errors(response, name: str, form_key: str = "form") -> list[str]:
    """The messages shown on one field of the page's form, in Indonesian."""
    form = response.context[form_key]
    with translation.override("id"):
        return [str(message) for message in form.errors.get(name, [])]


def non_field_errors(response, form_key: str = "form") -> list[str]:
    form = response.context[form_key]
    with translation.override("id"):
        return [str(message) for message in form.non_field_errors()]
