"""Whom a page speaks to: shoppers are addressed with "du", businesses and staff with "Sie".

Error pages cannot tell from their template who is reading, so they ask here, with the
request's blueprint and path (the path also decides for addresses that match no view).
"""

# The back office, the login and the shop portal speak to staff and businesses.
FORMAL_BLUEPRINTS = frozenset({"backoffice", "auth", "shop"})
# The office's services for businesses and its legal pages, and the same areas by path.
FORMAL_PATHS = (
    "/buero", "/anmelden", "/abmelden", "/laden",
    "/angebote", "/termine", "/veranstaltungen", "/leerstand", "/nachfolge", "/aktuelles",
    "/impressum", "/datenschutz", "/barrierefreiheit",
)


def addresses_formally(blueprint: str | None, path: str) -> bool:
    """Whether a page of ``blueprint`` at ``path`` says "Sie" (else "du")."""
    if blueprint in FORMAL_BLUEPRINTS:
        return True
    return any(path == prefix or path.startswith(prefix + "/") for prefix in FORMAL_PATHS)
