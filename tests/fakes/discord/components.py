"""Message components checked the way Discord checks them (developer docs, Components > Component Reference and
Using Message Components; Resources > Message, Create and Edit Message).

- Classic ("legacy") components: at most 5 action rows at the top level, each with up to 5 buttons or one select;
  the message keeps its ``content`` and ``embeds``.
- Components V2 (``flags`` has ``IS_COMPONENTS_V2``, 1 << 15): no ``content``, ``embeds``, ``poll`` or stickers
  (Discord answers ``MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2``), at least one component, at most 40
  components counted at every depth, and at most 4,000 characters over all text displays. Once set the flag stays.
- Buttons: a ``custom_id`` of 1 to 100 characters (link buttons take a ``url`` instead), a label of at most 80;
  custom ids are unique within a message. Selects: a ``custom_id``, 1 to 25 options, values within the options.

The error codes inside 50035 for the 40-component and 4,000-character limits are the fake's names; the limits and
the others (``COMPONENT_LAYOUT_WIDTH_EXCEEDED``, ``COMPONENT_CUSTOM_ID_DUPLICATED``, ``BASE_TYPE_MAX_LENGTH``) are as
Discord documents and answers them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .errors import ApiError, form_error, max_length_error

__all__ = [
    "COMPONENTS_V2",
    "V2_COMPONENT_LIMIT",
    "V2_TEXT_LIMIT",
    "check_components",
    "find_component",
    "walk",
]

COMPONENTS_V2 = 1 << 15
V2_COMPONENT_LIMIT = 40
V2_TEXT_LIMIT = 4000
CLASSIC_ROWS = 5
ROW_WIDTH = 5
CUSTOM_ID_LIMIT = 100
LABEL_LIMIT = 80
SELECT_OPTIONS = 25

ACTION_ROW, BUTTON, STRING_SELECT = 1, 2, 3
SELECTS = (3, 5, 6, 7, 8)
SECTION, TEXT_DISPLAY, THUMBNAIL, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER = 9, 10, 11, 12, 13, 14, 17
LINK, PREMIUM = 5, 6
_V2_TOP = (ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR, CONTAINER)
_IN_CONTAINER = (ACTION_ROW, SECTION, TEXT_DISPLAY, MEDIA_GALLERY, FILE, SEPARATOR)

Path = tuple[str | int, ...]


def walk(components: Sequence[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every component at every depth: rows' and containers' children, sections' texts and accessory."""
    for component in components:
        yield component
        yield from walk(component.get("components") or [])
        accessory = component.get("accessory")
        if accessory:
            yield accessory


def find_component(components: Sequence[Mapping[str, Any]], custom_id: str) -> Mapping[str, Any] | None:
    return next((c for c in walk(components) if c.get("custom_id") == custom_id), None)


def check_components(body: Mapping[str, Any], *, flags: int) -> None:
    """Raise Discord's 400 for ``body``'s components under the message's ``flags`` (after the request's change)."""
    components = body.get("components") or []
    if not isinstance(components, list):
        raise form_error(("components",), "BASE_TYPE_ARRAY", "Must be an array.")
    if flags & COMPONENTS_V2:
        _check_v2(body, components)
    elif components:
        _check_classic(components)
    _check_unique_ids(components)


def _check_v2(body: Mapping[str, Any], components: list[Mapping[str, Any]]) -> None:
    for field in ("content", "embeds", "poll", "sticker_ids"):
        if body.get(field):
            message = f"The '{field}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2"
            raise form_error((field,), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", message)
    if not components:
        raise ApiError(400, 50006, "Cannot send an empty message")
    count = sum(1 for _ in walk(components))
    if count > V2_COMPONENT_LIMIT:
        message = f"The message has {count} components; at most {V2_COMPONENT_LIMIT} are allowed"
        raise form_error(("components",), "COMPONENT_MAX_TOTAL_COMPONENTS_EXCEEDED", message)
    text = sum(len(c.get("content") or "") for c in walk(components) if c.get("type") == TEXT_DISPLAY)
    if text > V2_TEXT_LIMIT:
        message = f"The text of the message's components is {text} characters; at most {V2_TEXT_LIMIT} are allowed"
        raise form_error(("components",), "COMPONENT_MAX_TOTAL_TEXT_LENGTH_EXCEEDED", message)
    for index, component in enumerate(components):
        _check_one(component, ("components", index), allowed=_V2_TOP)


def _check_classic(components: list[Mapping[str, Any]]) -> None:
    if len(components) > CLASSIC_ROWS:
        raise max_length_error(("components",), CLASSIC_ROWS)
    for index, component in enumerate(components):
        _check_one(component, ("components", index), allowed=(ACTION_ROW,))


def _choices(allowed: Sequence[int]) -> str:
    return f'Value of field "type" must be one of ({", ".join(str(t) for t in allowed)},).'


def _check_one(component: Mapping[str, Any], path: Path, *, allowed: Sequence[int]) -> None:
    kind = component.get("type")
    if kind not in allowed:
        raise form_error((*path, "type"), "UNION_TYPE_CHOICES", _choices(allowed))
    if kind == ACTION_ROW:
        _check_row(component.get("components") or [], (*path, "components"))
    elif kind == BUTTON:
        _check_button(component, path)
    elif kind in SELECTS:
        _check_select(component, path)
    elif kind == CONTAINER:
        for index, child in enumerate(component.get("components") or []):
            _check_one(child, (*path, "components", index), allowed=_IN_CONTAINER)
    elif kind == SECTION:
        texts = component.get("components") or []
        if not 1 <= len(texts) <= 3:
            raise form_error((*path, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 3 in length.")
        for index, child in enumerate(texts):
            _check_one(child, (*path, "components", index), allowed=(TEXT_DISPLAY,))
        _check_one(component.get("accessory") or {}, (*path, "accessory"), allowed=(BUTTON, THUMBNAIL))
    elif kind == TEXT_DISPLAY and not component.get("content"):
        raise form_error((*path, "content"), "BASE_TYPE_REQUIRED", "This field is required")


def _check_row(children: list[Mapping[str, Any]], path: Path) -> None:
    """Up to 5 buttons, or one select (a select takes the whole width)."""
    if not children:
        raise form_error(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    width = 0
    for index, child in enumerate(children):
        _check_one(child, (*path, index), allowed=(BUTTON, *SELECTS))
        width += ROW_WIDTH if child.get("type") in SELECTS else 1
        if width > ROW_WIDTH:
            message = "The specified component exceeds the maximum width"
            raise form_error((*path, index), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", message)


def _check_custom_id(component: Mapping[str, Any], path: Path) -> None:
    custom_id = component.get("custom_id")
    if not isinstance(custom_id, str) or not custom_id:
        raise form_error((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
    if len(custom_id) > CUSTOM_ID_LIMIT:
        raise max_length_error((*path, "custom_id"), CUSTOM_ID_LIMIT)


def _check_button(button: Mapping[str, Any], path: Path) -> None:
    style = button.get("style")
    if style not in range(1, 7):
        raise form_error((*path, "style"), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6}.")
    if len(button.get("label") or "") > LABEL_LIMIT:
        raise max_length_error((*path, "label"), LABEL_LIMIT)
    if style == LINK:
        if not button.get("url") or button.get("custom_id"):
            raise form_error((*path, "url"), "BUTTON_COMPONENT_INVALID_URL", "A link button needs a url only")
    elif style != PREMIUM:
        _check_custom_id(button, path)


def _check_select(select: Mapping[str, Any], path: Path) -> None:
    _check_custom_id(select, path)
    options = select.get("options") or []
    if select.get("type") == STRING_SELECT and not 1 <= len(options) <= SELECT_OPTIONS:
        raise form_error((*path, "options"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
    for index, option in enumerate(options):
        for key in ("label", "value", "description"):
            if len(option.get(key) or "") > 100:
                raise max_length_error((*path, "options", index, key), 100)
    low, high = int(select.get("min_values", 1)), int(select.get("max_values", 1))
    if not 0 <= low <= high <= SELECT_OPTIONS or (options and high > len(options)):
        raise form_error((*path, "max_values"), "BASE_TYPE_BAD_LENGTH", "min_values and max_values do not fit")


def _check_unique_ids(components: Sequence[Mapping[str, Any]]) -> None:
    seen: set[str] = set()
    for component in walk(components):
        custom_id = component.get("custom_id")
        if custom_id is None:
            continue
        if custom_id in seen:
            raise form_error(
                ("components",), "COMPONENT_CUSTOM_ID_DUPLICATED", "Component custom id cannot be duplicated"
            )
        seen.add(custom_id)
