"""Kept HTML: a template rendered once, with holes where per-request values go, and filled on every request.

This is the only way Kring keeps rendered HTML (the layout's navigation, display panel and language picker,
the page words, the forum's posts and reply form). :func:`cut` renders a template with a marker in each hole
and cuts the result into a :class:`Cut`; :meth:`Cut.fill` joins its pieces with this request's values,
escaped exactly as Jinja escapes them. A template makes holes in two ways:

- a *slot*: a name given in ``slots`` that the template prints (``{{ csrf }}``); every fill must give it;
- ``hole(name, default)``: a value with a default (``aria-pressed="{{ hole(('pressed', kind), 'false') }}"``),
  or ``{% call hole(name) %}...{% endcall %}``: a section whose default is its own rendered content (which
  may hold holes itself). A fill that gives the name replaces the default (``""`` leaves a section out).

The cached result depends on nothing but what the caller passed, so a kept template is rendered in isolation:
not through Flask's ``render_template`` (no context processors), and with the request-bound names
(``current_user``, ``request``, ``session``, ``g``, ``config``, ``csrf_token``...) and every template global
not known to be pure replaced by objects that raise :class:`UnkeptRead`. Globals that read nothing per
request are listed in :data:`PURE_GLOBALS`; a caller vouches for others with ``allow``. Each cut template is
recorded in :data:`CUT_TEMPLATES`, which a test walks with :func:`unkept_reads` (``jinja2.meta``) to find a
read the run-time guard cannot see (a macro imported without context, a branch the tests did not take).

:func:`render_fragment` keeps cuts in a bounded LRU per process, keyed by template, language and the caller's
key (which must name everything else the template shows). Features with their own store (the forum's page
cache, keyed by topic version) keep the :class:`Cut` there. Nothing is kept while templates reload
themselves (development), so an edited template shows at once; it is still cut and filled, the same way.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app
from flask_babel import get_locale
from jinja2 import Environment, meta
from markupsafe import Markup, escape

ENTRIES = 1024  # the navigation alone has ~2,000 variants at most (languages x current link x links shown x badges)
_EXTENSION = "kring_fragments"

# Template globals that depend on nothing but their arguments and the language (which every key holds).
PURE_GLOBALS = frozenset(
    {"_", "gettext", "ngettext", "pgettext", "npgettext", "url_for", "hole", "range", "dict", "namespace",
     "cycler", "joiner", "lipsum"}
)  # fmt: skip
# Names that always vary per request, whether Flask offers them as globals or by context processors.
REQUEST_NAMES = frozenset(
    {"current_user", "request", "session", "g", "config", "csrf_token", "csrf_meta_tag", "get_flashed_messages"}
)
# template -> the names its callers gave it (context, slots, allowed globals): what unkept_reads() checks
CUT_TEMPLATES: dict[str, frozenset[str]] = {}


class UnkeptRead(RuntimeError):
    """A kept template read something that is not in its key."""


class _Unkept:
    """Stands for a request-bound name while a kept template renders: any use of it raises."""

    __slots__ = ("_what",)

    def __init__(self, what: str) -> None:
        object.__setattr__(self, "_what", what)

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise UnkeptRead(f"{self._what}, which is not in the fragment's key")

    __getattr__ = __call__ = __getitem__ = __iter__ = __bool__ = __str__ = __html__ = __len__ = _refuse
    __eq__ = __contains__ = _refuse  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Cut:
    """Rendered HTML cut at its holes: ``parts[0] hole parts[1] hole ... parts[-1]``. A hole is
    ``(name, default)``; the default is ``None`` (a slot: the fill must give it), escaped text, or a Cut.

    Filling runs on every request for every kept piece (20 posts make ~400 holes), so a fill copies a list made
    once (the parts, with each hole's default text between them), puts the given values at their hole's
    positions and joins it: work per value given, not per hole."""

    parts: tuple[str, ...]
    holes: tuple[tuple[Hashable, str | Cut | None], ...]
    _pieces: tuple[str | None, ...] = field(init=False, repr=False, compare=False)
    _at: dict[Hashable, tuple[int, ...]] = field(init=False, repr=False, compare=False)  # name -> positions
    _cuts: tuple[tuple[Hashable, Cut], ...] = field(init=False, repr=False, compare=False)  # sections with holes
    _slots: frozenset[Hashable] = field(init=False, repr=False, compare=False)  # names without a default

    def __post_init__(self) -> None:
        pieces: list[str | None] = [self.parts[0]]
        at: dict[Hashable, list[int]] = {}
        cuts: dict[Hashable, Cut] = {}
        slots: set[Hashable] = set()
        for (name, default), part in zip(self.holes, self.parts[1:], strict=True):
            at.setdefault(name, []).append(len(pieces))
            if isinstance(default, Cut):
                cuts[name] = default
                slots |= default._slots  # a section's own slots are needed whenever it is shown
            elif default is None:
                slots.add(name)
            pieces.append(default if isinstance(default, str) else None)
            pieces.append(part)
        object.__setattr__(self, "_pieces", tuple(pieces))
        object.__setattr__(self, "_at", {name: tuple(positions) for name, positions in at.items()})
        object.__setattr__(self, "_cuts", tuple(cuts.items()))
        object.__setattr__(self, "_slots", frozenset(slots))

    def fill(self, values: Mapping[Hashable, Any]) -> Markup:
        """The HTML with ``values`` put in its holes (escaped unless Markup) and defaults elsewhere."""
        safe = {name: value if isinstance(value, Markup) else str(escape(value)) for name, value in values.items()}
        missing = self._slots.difference(safe)
        if missing:
            raise KeyError(f"no value for the slots {sorted(map(repr, missing))}")
        return Markup(self._join(safe))  # noqa: S704 (Jinja's output, with escaped values put in)

    def _join(self, safe: Mapping[Hashable, str]) -> str:
        out = list(self._pieces)
        at = self._at
        for name, value in safe.items():
            for position in at.get(name, ()):
                out[position] = value
        for name, default in self._cuts:
            if name not in safe:
                text = default._join(safe)
                for position in at[name]:
                    out[position] = text
        return "".join(out)  # type: ignore[arg-type] (every None is a slot or a section, filled above)

    def split(self, name: Hashable) -> list[Cut]:
        """Several cuts, one per piece between holes named ``name`` (e.g. one per post of a list)."""
        pieces: list[Cut] = []
        parts, holes = [self.parts[0]], []
        for index, hole in enumerate(self.holes, 1):
            if hole[0] == name:
                pieces.append(Cut(tuple(parts), tuple(holes)))
                parts, holes = [], []
            else:
                holes.append(hole)
            parts.append(self.parts[index])
        pieces.append(Cut(tuple(parts), tuple(holes)))
        return pieces


class _Holes:
    """The ``hole`` of one cut: prints a marker and remembers the hole's name and default."""

    def __init__(self) -> None:
        self.prefix = f"kring{secrets.token_hex(8)}h"
        self.pattern = re.compile(re.escape(self.prefix) + r"(\d+)e")
        self.made: list[tuple[Hashable, str | None]] = []

    def marker(self, name: Hashable, default: str | None) -> Markup:
        self.made.append((name, default))
        return Markup(f"{self.prefix}{len(self.made) - 1}e")  # noqa: S704 (letters and digits only)

    def __call__(self, name: Hashable, default: Any = "", caller: Callable[[], str] | None = None) -> Markup:
        return self.marker(name, str(caller()) if caller is not None else str(escape(default)))

    def cut(self, html: str) -> Cut:
        pieces = self.pattern.split(html)
        holes: list[tuple[Hashable, str | Cut | None]] = []
        for found in pieces[1::2]:
            name, default = self.made[int(found)]
            if default is not None and self.pattern.search(default):
                holes.append((name, self.cut(default)))
            else:
                holes.append((name, default))
        return Cut(tuple(pieces[0::2]), tuple(holes))


def hole(name: Hashable, default: Any = "", caller: Callable[[], str] | None = None) -> Any:
    """Outside a cut (a template rendered the ordinary way) a hole is simply its default."""
    return caller() if caller is not None else default


def cut(template: str, slots: Iterable[str] = (), *, allow: Iterable[str] = (), **context: Any) -> Cut:
    """``template`` rendered with ``context`` alone, with a hole for each name in ``slots``. ``allow``: template
    globals beyond :data:`PURE_GLOBALS` that the caller has checked read nothing per request here."""
    env = current_app.jinja_env
    holes = _Holes()
    allowed = PURE_GLOBALS.union(allow)
    given: dict[str, Any] = {name: _Unkept(f"{template} reads {name}") for name in REQUEST_NAMES}
    given.update((name, _Unkept(f"{template} calls {name}")) for name in env.globals if name not in allowed)
    given.update(context)
    given["hole"] = holes
    slots = tuple(slots)
    given.update((name, holes.marker(name, None)) for name in slots)
    given["fragment_slots"] = {name: given[name] for name in slots}  # for slot names the template builds
    names = frozenset(context).union(slots, allowed)
    CUT_TEMPLATES[template] = CUT_TEMPLATES.get(template, names) & names  # what every caller gives
    return holes.cut(env.get_template(template).render(given))


class _Store:
    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.items: OrderedDict[Hashable, Cut] = OrderedDict()
        self.lock = threading.Lock()


def _store() -> _Store:
    store = current_app.extensions.get(_EXTENSION)
    if store is None:
        store = current_app.extensions[_EXTENSION] = _Store(ENTRIES)
    return store


def keeping() -> bool:
    """Whether cuts may be kept: not while templates reload themselves."""
    return not current_app.jinja_env.auto_reload


def render_fragment(key: Hashable, template: str, slots: Mapping[str, str], **context: Any) -> Markup:
    """``template`` rendered with ``context`` and the per-request ``slots`` (names the template prints; also
    reachable as ``fragment_slots[name]``, for names the template builds), kept per language and ``key``."""
    if not keeping():
        return cut(template, slots, **context).fill(slots)
    store = _store()
    full_key = (template, str(get_locale()), key, tuple(sorted(slots)))
    with store.lock:
        kept_cut = store.items.get(full_key)
        if kept_cut is not None:
            store.items.move_to_end(full_key)
    if kept_cut is None:
        kept_cut = cut(template, slots, **context)
        with store.lock:
            store.items[full_key] = kept_cut
            while len(store.items) > store.entries:
                store.items.popitem(last=False)
    return kept_cut.fill(slots)


def kept(template: str, **slots: str) -> Markup:
    """Template global: ``template`` depends on nothing but the language (and the given ``slots``)."""
    return render_fragment((), template, slots)


def unkept_reads(env: Environment, template: str, given: Iterable[str], request_names: Iterable[str] = ()) -> set[str]:
    """The request-bound names and impure globals that ``template`` (with what it includes or imports) may read
    although its callers did not give them: names in ``env.globals``, :data:`REQUEST_NAMES` and
    ``request_names`` (the app's context processors), minus ``given`` and :data:`PURE_GLOBALS`."""
    # An environment without the globals, so that jinja2.meta reports them among the names read.
    plain = Environment(loader=env.loader, extensions=[type(ext) for ext in env.extensions.values()])  # noqa: S701 (parsed, never rendered)
    plain.filters, plain.tests = env.filters, env.tests
    forbidden = (set(env.globals) | REQUEST_NAMES | set(request_names)) - PURE_GLOBALS - set(given)
    found: set[str] = set()
    seen: set[str] = set()
    todo = [template]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        tree = plain.parse(source)
        found |= meta.find_undeclared_variables(tree) & forbidden
        todo.extend(child for child in meta.find_referenced_templates(tree) if child)
    return found


def init_app(app: Flask) -> None:
    app.add_template_global(kept, "kept")
    app.add_template_global(hole, "hole")
