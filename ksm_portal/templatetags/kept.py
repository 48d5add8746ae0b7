"""`{% kept "name" seconds part ... %}...{% endkept %}`: a piece of a template rendered once
and kept (`ksm_portal.caching`) under its parts and the active language. A part that is empty
or None means there is no stamp to key it by: the piece is then rendered every time."""

from django import template
from django.template.base import TemplateSyntaxError

from ksm_portal.caching import kept

register = template.Library()


class KeptNode(template.Node):
    def __init__(self, nodelist, name, timeout, parts):
        self.nodelist, self.name, self.timeout, self.parts = nodelist, name, timeout, parts

    def render(self, context):
        parts = tuple(part.resolve(context) for part in self.parts)
        if any(part in (None, "") for part in parts):
            return self.nodelist.render(context)
        name, timeout = self.name.resolve(context), self.timeout.resolve(context)
        return kept(name, parts, lambda: self.nodelist.render(context), timeout)


@register.tag("kept")
def do_kept(parser, token):
    bits = token.split_contents()
    if len(bits) < 4:
        raise TemplateSyntaxError(f"{bits[0]!r} takes a name, a number of seconds and parts")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    name, timeout, *parts = (parser.compile_filter(bit) for bit in bits[1:])
    return KeptNode(nodelist, name, timeout, parts)
