"""The forms of the portal as a browser sees them: read from the rendered pages, so that the
hostile-input tests post to each form the fields it really has."""

from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit


class _FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        # action path -> field name -> values seen (options, pre-filled values)
        self.forms: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._action = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                action = attrs.get("action") or self.page_path
                self._action = urlsplit(action).path or self.page_path
            return
        if self._action is None:
            return
        name = attrs.get("name")
        fields = self.forms[self._action]
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                if attrs.get("value") is not None:
                    fields[name].add(attrs["value"])
                return
            fields[name]
            if attrs.get("value"):
                fields[name].add(attrs["value"])
            if kind == "checkbox" and not attrs.get("value"):
                fields[name].add("on")
        elif tag == "textarea" and name:
            fields[name]
        elif tag == "select" and name:
            self._select = name
            fields[name]
        elif tag == "option" and self._select and attrs.get("value"):
            fields[self._select].add(attrs["value"])
        elif tag == "button" and name and attrs.get("value") is not None:
            fields[name].add(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None
        elif tag == "select":
            self._select = None


def forms_on(page_path: str, html: str) -> dict[str, dict[str, set[str]]]:
    parser = _FormParser(page_path)
    parser.feed(html)
    return {action: dict(fields) for action, fields in parser.forms.items()}


def merge(into: dict, found: dict) -> None:
    for action, fields in found.items():
        target = into.setdefault(action, {})
        for name, values in fields.items():
            target.setdefault(name, set()).update(values)
